package extract

import (
	"encoding/json"
	"html"
	"strings"
)

// ld is what the page's JSON-LD says about the story.
type ld struct {
	typ                          string // @type of the chosen object
	headline, description        string
	authors                      []ldName
	published, modified, created string
	publisher, siteName          string
	image, section, lang, url    string
	keywords                     []string
	pageTypes                    []string // every @type seen
	hasArticle                   bool
}

var articleTypes = map[string]bool{
	"article": true, "newsarticle": true, "blogposting": true, "reportagenewsarticle": true,
	"analysisnewsarticle": true, "opinionnewsarticle": true, "reviewnewsarticle": true,
	"backgroundnewsarticle": true, "liveblogposting": true, "report": true, "techarticle": true,
	"scholarlyarticle": true, "satiricalarticle": true, "socialmediaposting": true, "posting": true,
	"askpublicnewsarticle": true, "advertisercontentarticle": true, "medicalscholarlyarticle": true,
	"discussionforumposting": true, "review": true, "videoobject": false,
}

// parseLD reads every JSON-LD script and picks the article object: the one
// whose url is the page's canonical URL when several are described (a page
// may describe the stories it links to as well), else the first.
func parseLD(scripts []string, canonical string) ld {
	var out ld
	var objs []map[string]any
	for _, s := range scripts {
		if len(s) > 1<<20 {
			continue
		}
		s = trimJSON(s)
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			// Raw line breaks and tabs inside strings make JSON invalid;
			// as spaces they are harmless. Valid JSON never needs this, so
			// it is done only on failure.
			if !strings.ContainsAny(s, "\n\r\t") {
				continue
			}
			if err := json.Unmarshal([]byte(controlsToSpaces(s)), &v); err != nil {
				continue
			}
		}
		collectObjects(v, &objs, 0)
	}
	var best map[string]any
	for _, o := range objs {
		for _, t := range types(o) {
			out.pageTypes = append(out.pageTypes, t)
			lt := strings.ToLower(t)
			if articleTypes[lt] && (best == nil || !sameURL(str(best["url"]), canonical) && sameURL(str(o["url"]), canonical)) {
				best = o
				out.typ = t
				out.hasArticle = true
			}
			switch lt {
			case "website":
				if out.siteName == "" {
					out.siteName = str(o["name"])
				}
			case "organization", "newsmediaorganization":
				if out.publisher == "" {
					out.publisher = str(o["name"])
				}
			}
		}
	}
	if best == nil {
		// A WebPage with article fields is as good.
		for _, o := range objs {
			if o["datePublished"] != nil && (o["headline"] != nil || o["author"] != nil) {
				best = o
				ts := types(o)
				if len(ts) > 0 {
					out.typ = ts[0]
				}
				break
			}
		}
	}
	if best == nil {
		return out
	}
	out.headline = str(best["headline"])
	if out.headline == "" {
		out.headline = str(best["name"])
	}
	out.description = str(best["description"])
	out.published = str(best["datePublished"])
	out.modified = str(best["dateModified"])
	out.created = str(best["dateCreated"])
	out.lang = str(best["inLanguage"])
	out.url = str(best["url"])
	out.authors = names(best["author"], 0)
	if len(out.authors) == 0 {
		out.authors = names(best["creator"], 0)
	}
	if p := names(best["publisher"], 0); len(p) > 0 {
		out.publisher = p[0].name
	}
	out.image = imageURL(best["image"], 0)
	if out.image == "" {
		out.image = imageURL(best["thumbnailUrl"], 0)
	}
	switch s := best["articleSection"].(type) {
	case string:
		out.section = s
	case []any:
		if len(s) > 0 {
			out.section = str(s[0])
		}
	}
	switch k := best["keywords"].(type) {
	case string:
		out.keywords = splitList(k)
	case []any:
		for _, x := range k {
			if s := str(x); s != "" {
				out.keywords = append(out.keywords, s)
			}
		}
	}
	return out
}

// trimJSON removes what CMSs and serialisers wrap around JSON-LD: HTML
// comment markers, CDATA sections and the JavaScript comments that hide
// them ("//<![CDATA[", "/* <![CDATA[ */"), and a trailing semicolon.
func trimJSON(s string) string {
	for {
		t := strings.TrimSpace(s)
		for _, p := range []string{"<!--", "<![CDATA[", "//", "/*", "*/"} {
			t = strings.TrimSpace(strings.TrimPrefix(t, p))
		}
		for _, p := range []string{"-->", "]]>", "//", "*/", "/*", ";"} {
			t = strings.TrimSpace(strings.TrimSuffix(t, p))
		}
		if t == s {
			return t
		}
		s = t
	}
}

// controlsToSpaces turns raw line breaks and tabs into spaces.
func controlsToSpaces(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s)
}

func collectObjects(v any, out *[]map[string]any, depth int) {
	if depth > 6 || len(*out) > 200 {
		return
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			collectObjects(e, out, depth+1)
		}
	case map[string]any:
		if g, ok := x["@graph"]; ok {
			collectObjects(g, out, depth+1)
		}
		if _, ok := x["@type"]; ok {
			*out = append(*out, x)
		}
		if m, ok := x["mainEntity"].(map[string]any); ok {
			collectObjects(m, out, depth+1)
		}
	}
}

func types(o map[string]any) []string {
	switch t := o["@type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// str returns a JSON-LD value as text. CMSs often write HTML entities
// into JSON-LD strings ("doesn&#8217;t"); they are decoded.
func str(v any) string {
	switch x := v.(type) {
	case string:
		if strings.Contains(x, "&") && strings.Contains(x, ";") {
			x = html.UnescapeString(x)
		}
		return strings.TrimSpace(x)
	case float64:
		return ""
	case map[string]any:
		if s, ok := x["@value"].(string); ok {
			return s
		}
	case []any:
		if len(x) > 0 {
			return str(x[0])
		}
	}
	return ""
}

// ldName is an author or publisher named in JSON-LD; org is set when its
// @type is an organisation rather than a person.
type ldName struct {
	name string
	org  bool
}

var orgTypes = map[string]bool{"organization": true, "newsmediaorganization": true, "corporation": true,
	"organisation": true, "educationalorganization": true, "governmentorganization": true, "ngo": true,
	"onlinebusiness": true, "localbusiness": true, "project": true, "website": true}

func names(v any, depth int) []ldName {
	if depth > 3 {
		return nil
	}
	switch x := v.(type) {
	case string:
		return []ldName{{name: x}}
	case map[string]any:
		org := false
		for _, t := range types(x) {
			org = org || orgTypes[strings.ToLower(t)]
		}
		if n := str(x["name"]); n != "" {
			return []ldName{{name: n, org: org}}
		}
		gn, fn := str(x["givenName"]), str(x["familyName"])
		if gn+fn != "" {
			return []ldName{{name: strings.TrimSpace(gn + " " + fn), org: org}}
		}
	case []any:
		var out []ldName
		for _, e := range x {
			out = append(out, names(e, depth+1)...)
		}
		return out
	}
	return nil
}

func imageURL(v any, depth int) string {
	if depth > 3 {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		if u := str(x["url"]); u != "" {
			return u
		}
		return str(x["contentUrl"])
	case []any:
		if len(x) > 0 {
			return imageURL(x[0], depth+1)
		}
	}
	return ""
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '|' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// sameURL reports whether two URLs name the same page, ignoring the scheme,
// a "www." and a trailing slash. An empty URL names no page.
func sameURL(a, b string) bool {
	norm := func(s string) string {
		s = strings.TrimSpace(s)
		if i := strings.Index(s, "://"); i >= 0 {
			s = s[i+3:]
		}
		s = strings.TrimPrefix(s, "www.")
		return strings.TrimSuffix(s, "/")
	}
	return a != "" && b != "" && norm(a) == norm(b)
}
