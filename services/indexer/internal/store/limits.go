package store

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"strings"
	"unicode/utf8"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Caps on what one article may store. A field over its cap is cut at a
// character boundary and ends with TruncationMarker; nothing is refused
// for its size. Pages are the web's, so these caps are generous for real
// pages and small for the store: a long og:site_name or title must never
// fail a write (PostgreSQL refuses a btree entry over ~2700 bytes, and the
// site is indexed).
const (
	MaxSiteBytes        = 256     // site_name (indexed, case-insensitive)
	MaxTitleBytes       = 2 << 10 // title
	MaxDescriptionBytes = 8 << 10 // description
	MaxBodyBytes        = 1 << 20 // body
	MaxLabelBytes       = 256     // section, each author and tag
	MaxLabels           = 100     // authors, tags
	MaxTokenBytes       = 128     // extractor_version, trace_id, reparse, provenance entries
	MaxProvenance       = 64      // provenance entries
	MaxLanguageBytes    = 35      // a BCP 47 tag; a longer one is dropped
	// MaxIndexedBodyBytes is how much of the body PostgreSQL's full-text
	// index reads: a tsvector holds at most 1 MB, and a text of short
	// distinct words makes one up to ~3.5 times its size. The whole body
	// is stored and returned; only search misses words past this point.
	// (SQLite's FTS5 has no such limit and indexes the whole body.)
	MaxIndexedBodyBytes = 240 << 10
	// MaxContentHashBytes bounds content_hash (a hex digest, 64 bytes
	// for SHA-256); a longer one is replaced by "sha256:" and its digest.
	MaxContentHashBytes = 128
)

// TruncationMarker ends a field cut at its cap.
const TruncationMarker = "…"

// clean makes an article storable whatever the page held, identically for
// both stores: every string becomes valid UTF-8 without NUL (PostgreSQL
// text cannot hold either) or other control characters than tab and line
// breaks (they would pass through to snippets, and the stores mark matches
// with control characters), and every field is cut to its cap. URLs other
// than url and canonical_url (checked by Validate) are dropped when longer
// than schema.MaxURLLength.
func clean(a *schema.Article) {
	a.URL = text(a.URL, 0)
	a.CanonicalURL = text(a.CanonicalURL, 0)
	a.FinalURL = optionalURL(a.FinalURL)
	a.Image = optionalURL(a.Image)
	a.SiteName = text(a.SiteName, MaxSiteBytes)
	a.Title = text(a.Title, MaxTitleBytes)
	a.Description = text(a.Description, MaxDescriptionBytes)
	a.Reason = text(a.Reason, MaxTitleBytes)
	a.Body = text(a.Body, MaxBodyBytes)
	a.Section = text(a.Section, MaxLabelBytes)
	a.Language = strings.ToLower(strings.TrimSpace(text(a.Language, 0)))
	if len(a.Language) > MaxLanguageBytes {
		a.Language = ""
	}
	a.ExtractorVersion = text(a.ExtractorVersion, MaxTokenBytes)
	a.TraceID = text(a.TraceID, MaxTokenBytes)
	a.Reparse = text(a.Reparse, MaxTokenBytes)
	a.ContentHash = contentHash(text(a.ContentHash, 0))
	a.PageType = text(a.PageType, MaxTokenBytes)
	a.Authors = labels(a.Authors)
	a.Tags = labels(a.Tags)
	if a.Provenance != nil {
		p := make(map[string]string, min(len(a.Provenance), MaxProvenance))
		for _, k := range sortedKeys(a.Provenance) {
			if len(p) == MaxProvenance {
				break
			}
			p[text(k, MaxTokenBytes)] = text(a.Provenance[k], MaxTokenBytes)
		}
		a.Provenance = p
	}
}

// text returns s as valid UTF-8 without NUL and control characters other
// than \t, \n and \r, cut to max bytes (0: no cap) with TruncationMarker.
func text(s string, max int) string {
	if needsCleaning(s) {
		s = strings.Map(func(r rune) rune {
			if isControl(r) {
				return -1
			}
			return r
		}, strings.ToValidUTF8(s, "\uFFFD"))
	}
	return truncate(s, max)
}

func isControl(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f }

// needsCleaning reports whether text would change s (before its cap),
// without allocating: control characters are single bytes in UTF-8.
func needsCleaning(s string) bool {
	for i := 0; i < len(s); i++ {
		if isControl(rune(s[i])) {
			return true
		}
	}
	return !utf8.ValidString(s)
}

// truncate cuts s to at most max bytes at a character boundary, ending it
// with TruncationMarker. max <= 0 means no cap.
func truncate(s string, max int) string {
	if max <= 0 || len(s) <= max {
		return s
	}
	cut := max - len(TruncationMarker)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + TruncationMarker
}

func optionalURL(s string) string {
	s = text(s, 0)
	if len(s) > schema.MaxURLLength {
		return ""
	}
	return s
}

func labels(list []string) []string {
	if list == nil {
		return nil
	}
	out := make([]string, 0, min(len(list), MaxLabels))
	for _, s := range list[:min(len(list), MaxLabels)] {
		out = append(out, text(s, MaxLabelBytes))
	}
	return out
}

// contentHash keeps a digest as it is and replaces anything longer than a
// digest (it keys the exact-duplicate index) by a digest of it.
func contentHash(h string) string {
	if len(h) <= MaxContentHashBytes {
		return h
	}
	sum := sha256.Sum256([]byte(h))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// urlKey is the unique key of a URL in PostgreSQL's indexes: its SHA-256,
// since a URL may be longer than a btree entry can be.
func urlKey(url string) []byte {
	sum := sha256.Sum256([]byte(url))
	return sum[:]
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range maps.Keys(m) {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}
