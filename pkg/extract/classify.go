package extract

import (
	"encoding/binary"
	"strings"
)

// Fragments of class and id values, matched as substrings of the
// lowercased "class id" string. They are general web vocabulary, not tied to
// any one site.
var (
	boilerFragments = []string{
		"nav", "menu", "breadcrumb", "share", "sharing", "social", "related", "recommend",
		"newsletter", "subscribe", "subscription", "signup", "sign-up", "comment", "disqus",
		"sidebar", "side-bar", "footer", "cookie", "consent", "gdpr", "banner", "promo",
		"advert", "sponsor", "outbrain", "taboola", "trending", "popular", "most-read",
		"mostread", "most_read", "widget", "modal", "popup", "pagination", "pager",
		"author-bio", "authorbio", "author_bio", "about-author", "about-the-author", "author-info", "author-box", "authorbox",
		"more-stories", "morestories", "more-from", "more-on", "read-more", "readmore", "read-next", "readnext",
		"also-read", "alsoread", "toolbar", "login", "masthead", "skip-link", "skiplink",
		"subnav", "follow", "tag-list", "taglist", "tags-list", "article-tags", "post-tags", "entry-tags", "tagcloud", "tag-cloud", "topic-list", "topics",
		"rating", "print-", "-print", "jump-link", "contact", "donat", "paid-content", "teaser-list", "carousel", "slider",
		"headline-list", "latest", "ticker", "lightbox", "overlay", "rss", "playlist", "video-list", "byline-social",
		"next-article", "prev-article", "previous-article", "post-navigation", "you-may", "youmay", "might-like", "mightlike", "dont-miss", "don-t-miss", "editors-pick", "editor-pick", "top-stories", "topstories",
		"inline-ad", "ad-container", "ad-wrapper", "adwrapper", "adcontainer", "ad-slot", "adslot", "adunit", "ad-unit", "dfp", "google-ad", "advertisement", "-ads", "ads-", "_ads", "ads_",
		"app-promo", "download-app", "notification", "alert-bar", "hidden-print", "noprint", "disclaimer", "reaction", "emoji", "vote", "poll",
	}
	captionFragments  = []string{"caption", "credit", "photo-source", "image-source", "img-source", "copyright", "wp-caption", "legend", "media-source", "figure-text"}
	bylineFragments   = []string{"byline", "author", "writer", "reporter", "contributor", "autor", "auteur", "dateline", "post-meta", "postmeta", "entry-meta", "article-meta", "article__meta", "story-meta", "meta-info", "article-info", "post-info", "posted-on", "timestamp", "date", "updated"}
	dateFragments     = []string{"date", "time", "publish", "posted", "updated", "dateline", "meta", "byline", "stamp"}
	positiveFragments = []string{"article", "story", "content", "entry", "post", "body", "text", "main", "blog", "prose", "hentry", "news-detail", "detail"}
	negativeFragments = []string{"comment", "meta", "footer", "footnote", "foot", "masthead", "media", "outbrain", "promo", "related", "scroll", "share", "shoutbox", "sidebar", "skyscraper", "sponsor", "shopping", "tags", "tool", "widget", "banner", "combx", "contact", "hidden", "extra", "ad-", "-ad"}
	headerFragments   = []string{"header", "masthead", "heading", "article-head", "story-head", "post-head", "entry-head"}
	titleFragments    = []string{"title", "headline", "heading"}
	commentFragments  = []string{"comment", "disqus", "respond", "replies", "reply", "discussion", "forum", "reader-reactions", "user-content", "kommentar", "komentar", "comentari", "reacties"}
	// protected: wrappers of the story itself often carry words that look
	// like boilerplate ("post-content has-sidebar").
	protectFragments = []string{"article-body", "articlebody", "article-content", "articlecontent", "article__body", "article-text", "story-body", "storybody", "story-content", "post-body", "postbody", "post-content", "entry-content", "entry-body", "body-text", "bodytext", "main-content", "maincontent", "content-body", "article_body", "story_body", "post_content", "entry_content", "rich-text", "richtext", "article-main", "news-content", "article__content", "article-detail", "text-content", "content-text", "articletext", "story-text", "body-content",
		// Embedded posts quoted by the story ("social-media-embed").
		"media-embed", "social-embed", "tweet-embed", "embedded-tweet", "embed-twitter", "twitter-embed"}
)

// adToken reports whether a whole class token marks boilerplate although
// it is too short to match as a substring.
func adToken(t []byte) bool {
	switch string(t) {
	case "ad", "ads", "adv", "advert", "adsense", "advertising", "sponsored", "share", "social", "nav", "navbar", "tags", "tag", "bio", "print", "toc":
		return true
	}
	return false
}

// Categories of fragments, as bits.
const (
	catBoiler uint16 = 1 << iota
	catCaption
	catByline
	catDate
	catPositive
	catNegative
	catHeader
	catTitle
	catProtect
	catComment
)

type fragment struct {
	s         string
	cat       uint16
	pre, mask uint64 // the first 8 bytes of s, little-endian, and their mask
}

func newFragment(s string, cat uint16) fragment {
	f := fragment{s: s, cat: cat}
	for i := 0; i < len(s) && i < 8; i++ {
		f.pre |= uint64(s[i]) << (8 * i)
		f.mask |= 0xff << (8 * i)
	}
	return f
}

// fragKey folds two bytes into 10 bits. Letters keep their identity;
// digits and punctuation collide with letters, which only costs an extra
// comparison: every candidate is checked in full.
func fragKey(a, b byte) uint16 { return uint16(a&31)<<5 | uint16(b&31) }

// fragTable maps fragKey of the first two bytes of a fragment to 1+its
// bucket in fragBuckets, so one scan of a class string finds all categories
// at once; fragThird holds, under the same key, the set of third bytes
// (folded to 5 bits) that a fragment of the bucket continues with. Both
// stay in the L1 cache.
var fragTable, fragThird, fragBuckets = func() (*[1 << 10]uint8, *[1 << 10]uint32, [][]fragment) {
	var table [1 << 10]uint8
	var third [1 << 10]uint32
	buckets := [][]fragment{nil}
	add := func(list []string, cat uint16) {
		for _, f := range list {
			if len(f) < 3 {
				panic("extract: class fragment shorter than 3 bytes: " + f)
			}
			key := fragKey(f[0], f[1])
			third[key] |= 1 << (f[2] & 31)
			if table[key] == 0 {
				buckets = append(buckets, nil)
				if len(buckets) > 255 {
					panic("extract: too many fragment buckets")
				}
				table[key] = uint8(len(buckets) - 1)
			}
			b := &buckets[table[key]]
			found := false
			for i := range *b {
				if (*b)[i].s == f {
					(*b)[i].cat |= cat
					found = true
				}
			}
			if !found {
				*b = append(*b, newFragment(f, cat))
			}
		}
	}
	add(boilerFragments, catBoiler)
	add(captionFragments, catCaption)
	add(bylineFragments, catByline)
	add(dateFragments, catDate)
	add(positiveFragments, catPositive)
	add(negativeFragments, catNegative)
	add(headerFragments, catHeader)
	add(titleFragments, catTitle)
	add(protectFragments, catProtect)
	add(commentFragments, catComment)
	return &table, &third, buckets
}()

// categories returns the bits of every fragment found in s (lowercase).
// Candidates are compared eight bytes at a time; fragments hold no NUL, so
// the zero padding past the end of s never matches.
func categories(s []byte) uint16 {
	var cats uint16
	for i := 0; i+2 < len(s); i++ {
		key := fragKey(s[i], s[i+1])
		k := fragTable[key]
		if k == 0 || fragThird[key]&(1<<(s[i+2]&31)) == 0 {
			continue
		}
		var w uint64
		if len(s)-i >= 8 {
			w = binary.LittleEndian.Uint64(s[i:])
		} else {
			for j := len(s) - 1; j >= i; j-- {
				w = w<<8 | uint64(s[j])
			}
		}
		for _, f := range fragBuckets[k] {
			if w&f.mask == f.pre && (len(f.s) <= 8 || len(f.s) <= len(s)-i && string(s[i+8:i+len(f.s)]) == f.s[8:]) {
				cats |= f.cat
			}
		}
	}
	return cats
}

// flagsFor maps the fragment categories found in an element's lowercased
// class and id, and whether they hold an ad token, to flags and a
// readability-style weight. Fragments hold no spaces, so the categories of
// "class id" are those of class and of id together, which lets the walker
// cache the class part.
func flagsFor(cats uint16, ad bool) (uint8, int8) {
	var flags uint8
	var weight int8
	protected := cats&catProtect != 0
	if !protected {
		if cats&catBoiler != 0 || ad {
			flags |= flagBoiler
		}
		if cats&catCaption != 0 {
			flags |= flagCaption
		}
		if cats&catByline != 0 {
			flags |= flagByline
		}
		if cats&catHeader != 0 {
			flags |= flagHeader
		}
		if cats&catTitle != 0 {
			flags |= flagTitle
		}
		if cats&catNegative != 0 {
			weight--
		}
		if cats&catComment != 0 {
			flags |= flagComment | flagBoiler
		}
	}
	if cats&catDate != 0 {
		flags |= flagDate
	}
	if protected || cats&catPositive != 0 {
		weight++
	}
	if protected {
		flags |= flagPositive
	}
	return flags, weight
}

// hasAdToken looks for whole tokens such as "ad" or "ads" that are too
// short to match as substrings.
func hasAdToken(s []byte) bool {
	start := -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= '0' && s[i] <= '9') {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if adToken(s[start:i]) {
				return true
			}
			start = -1
		}
	}
	return false
}

// classInfo is what one class attribute value says, cached per distinct
// value: pages repeat their class names but rarely their ids.
type classInfo struct {
	cats   uint16
	ad     bool
	hidden bool
}

// classify classifies class and id. The class part is cached; the id part
// is scanned each time.
func (w *walker) classify(class, id string) (uint8, int8, bool) {
	var ci classInfo
	if class != "" {
		slot := &w.recent[(len(class)*31+int(class[0])*7+int(class[len(class)-1]))%len(w.recent)]
		var ok bool
		if slot.class == class {
			ci = slot.info
		} else if ci, ok = w.classCache[class]; ok {
			slot.class, slot.info = class, ci
		} else {
			w.scratch = appendLower(w.scratch[:0], class)
			ci.cats = categories(w.scratch)
			ci.ad, ci.hidden = tokenFlags(w.scratch)
			w.classCache[class] = ci
			slot.class, slot.info = class, ci
		}
	}
	if id != "" {
		w.scratch = appendLower(w.scratch[:0], id)
		ci.cats |= categories(w.scratch)
		ci.ad = ci.ad || hasAdToken(w.scratch)
	}
	f, wt := flagsFor(ci.cats, ci.ad)
	return f, wt, ci.hidden
}

func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

func hiddenStyle(v string) bool {
	if strings.Contains(v, "none") || strings.Contains(v, "hidden") {
		s := strings.ReplaceAll(strings.ToLower(v), " ", "")
		return strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden")
	}
	return false
}

// tokenFlags reads the tokens of a lowercased class value in one pass:
// ad reports an ad token (hasAdToken), hidden a class that hides the
// element.
func tokenFlags(s []byte) (ad, hidden bool) {
	word, alnum := 0, -1 // starts of the current space-separated and alphanumeric tokens
	for i := 0; i <= len(s); i++ {
		c := byte(' ')
		if i < len(s) {
			c = s[i]
		}
		if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
			if alnum < 0 {
				alnum = i
			}
			continue
		}
		if alnum >= 0 {
			ad = ad || adToken(s[alnum:i])
			alnum = -1
		}
		if isSpaceByte(c) {
			if i > word && !hidden {
				hidden = hiddenToken(s[word:i])
			}
			word = i + 1
		}
	}
	return ad, hidden
}

// hiddenToken reports whether a lowercased class name hides the element.
func hiddenToken(t []byte) bool {
	switch string(t) {
	case "hidden", "hide", "sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text",
		"screen-reader-only", "sr-text", "u-hidden", "is-hidden", "d-none", "invisible", "offscreen":
		return true
	}
	return false
}
