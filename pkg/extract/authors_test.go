package extract

import (
	"reflect"
	"testing"
)

// names runs splitNames and keeps the names, marking organisations.
func namesOf(as []author) []string {
	var out []string
	for _, a := range as {
		if a.org {
			out = append(out, "org:"+a.name)
		} else {
			out = append(out, a.name)
		}
	}
	return out
}

func TestSplitNames(t *testing.T) {
	tests := []struct {
		give  string
		sites []string
		want  []string
	}{
		// byline words of the extractor's languages
		{give: "By Jane Doe", want: []string{"Jane Doe"}},
		{give: "BY JOHN SMITH", want: []string{"John Smith"}},
		{give: "Von Anna Schmidt und Peter Müller", want: []string{"Anna Schmidt", "Peter Müller"}},
		{give: "Par Claire Dubois et Marc Petit", want: []string{"Claire Dubois", "Marc Petit"}},
		{give: "Por María García y Luis Pérez", want: []string{"María García", "Luis Pérez"}},
		{give: "di Giulia Rossi", want: []string{"Giulia Rossi"}},
		{give: "Door Pieter de Vries en Sanne Bakker", want: []string{"Pieter de Vries", "Sanne Bakker"}},
		{give: "Av Anna Svensson", want: []string{"Anna Svensson"}},
		{give: "Autor: Jan Novák", want: []string{"Jan Novák"}},
		{give: "Автор: Егор Лебедев", want: []string{"Егор Лебедев"}},
		{give: "Written by Rob Roe Edited by Ann Poe", want: []string{"Rob Roe"}},
		// surnames that start like a byline word stay whole
		{give: "Di Stefano", want: []string{"Di Stefano"}},
		{give: "Byron Lane", want: []string{"Byron Lane"}},
		// roles, credentials, places and affiliations split off
		{give: "Jane Doe, Staff Writer", want: []string{"Jane Doe"}},
		{give: "By Dana Roe, Senior Staff Technologist, Example Speech, Privacy, and Technology Project", want: []string{"Dana Roe"}},
		{give: "By Brenda Poe, MA Example Health News", want: []string{"Brenda Poe"}},
		{give: "By Erin Moe, Cairo", want: []string{"Erin Moe"}},
		{give: "Ben Stone Games Editor", want: nil},
		// dates, times and agencies glued on
		{give: "By Nathan Wills March 25, 2015", want: []string{"Nathan Wills"}},
		{give: "Lucas Nolte22 Dec 2016651", want: []string{"Lucas Nolte"}},
		{give: "Aleš Vávra před 2 hodinami", want: []string{"Aleš Vávra"}},
		{give: "Jane Doe | Reuters", want: []string{"Jane Doe"}},
		{give: "Jane Doe (Reuters)", want: []string{"Jane Doe"}},
		{give: "By Omar Hughes (AP) and Ruth Bello", want: []string{"Omar Hughes", "Ruth Bello"}},
		{give: "Jane Doe (@janedoe)", want: []string{"Jane Doe"}},
		{give: "James Akin •", want: []string{"James Akin"}},
		{give: "Finian Roe. Example International", want: []string{"Finian Roe"}},
		{give: "Bruce Y. Lee", want: []string{"Bruce Y. Lee"}},
		{give: "Tweet", want: nil},
		{give: "Super User", want: nil},
		{give: "By Kelli Mills Example Health News", sites: []string{"Example"}, want: []string{"Kelli Mills"}},
		// several people
		{give: "By Jane Doe and John Roe", want: []string{"Jane Doe", "John Roe"}},
		{give: "Jane Doe, John Roe and Ann Poe", want: []string{"Jane Doe", "John Roe", "Ann Poe"}},
		{give: "Martin Unter (avec Damien Lelo et Morgane Tua)", want: []string{"Martin Unter", "Damien Lelo", "Morgane Tua"}},
		// a name with an aside inside it, an inverted name
		{give: "Bruno (Henrique) Rodrigo", want: []string{"Bruno (Henrique) Rodrigo"}},
		{give: "Jong, Michiel de", want: []string{"Jong, Michiel de"}},
		// organisations
		{give: "Reuters", want: []string{"org:Reuters"}},
		{give: "(AP)", want: []string{"org:AP"}},
		{give: "Source: AFP", want: []string{"org:AFP"}},
		{give: "Mac & i", want: []string{"org:Mac & i"}},
		{give: "Example News", want: []string{"org:Example News"}},
		{give: "The Daily Example", sites: []string{"Daily Example"}, want: []string{"org:The Daily Example"}},
		{give: "Contributors to Wikimedia projects", want: []string{"org:Contributors to Wikimedia projects"}},
		// not names
		{give: "https://example.com/author/jane", want: nil},
		{give: "@janedoe", want: nil},
		{give: "About the author", want: nil},
		{give: "Sign In| Sign Up", want: nil},
		{give: "Follow Jane Doe", want: nil},
		{give: "24 July 2015", want: nil},
		// East Asian reporter suffixes
		{give: "홍길동 기자", want: []string{"홍길동"}},
	}
	for _, tt := range tests {
		if got := namesOf(splitNames(tt.give, tt.sites)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitNames(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestDedupeAuthors(t *testing.T) {
	got := namesOf(dedupe([]author{{name: "Jane Doe Example News"}, {name: "Jane Doe"}, {name: "John Roe"}, {name: "jane doe"}}))
	want := []string{"Jane Doe", "John Roe"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("dedupe = %q, want %q", got, want)
	}
}

func TestPickAuthors(t *testing.T) {
	const related = `<aside class="related"><h2>More stories</h2><ul>
<li><a href="/a">Bridge inspection finds cracks</a> <span class="byline">By Sam Poe</span></li>
<li><a href="/b">Detour plan approved</a> <a href="/author/ann-loe" class="author">Ann Loe</a></li></ul></aside>`
	const comments = `<section id="comments"><div class="comment"><cite class="author fn">Rita Reader</cite><p>About time they fixed it.</p></div></section>`
	tests := []struct {
		name, head, header, after string
		want                      []string
		src                       string
	}{
		{
			name: "JSON-LD author array, in order, without duplicates",
			head: `<script type="application/ld+json">{"@type":"NewsArticle","headline":"Council closes the old bridge","author":[{"@type":"Person","name":"Jane Doe"},{"@type":"Person","name":"John Roe"},{"@type":"Person","name":"jane doe"}]}</script>`,
			want: []string{"Jane Doe", "John Roe"}, src: "json-ld",
		},
		{
			name:   "an organisation in JSON-LD gives way to the person the byline names",
			head:   `<script type="application/ld+json">{"@type":"NewsArticle","headline":"Council closes the old bridge","author":{"@type":"Organization","name":"Example Times"}}</script>`,
			header: `<p class="byline">By Jane Doe, Transport Correspondent</p>`,
			want:   []string{"Jane Doe"}, src: "text",
		},
		{
			name: "a wire story keeps its agency",
			head: `<meta name="author" content="Reuters">`, after: related,
			want: []string{"Reuters"}, src: "meta",
		},
		{
			name: "meta author: a profile URL is no name, the next key is read",
			head: `<meta property="article:author" content="https://www.facebook.com/janedoe"><meta name="dc.creator" content="Doe, Jane">`,
			want: []string{"Doe, Jane"}, src: "meta",
		},
		{
			name:   "rel=author at the head of the story; bylines of related stories and comments are not read",
			header: `<p>By <a rel="author" href="/staff/jane-doe">Jane Doe</a> and <a rel="author" href="/staff/john-roe">John Roe</a></p>`,
			after:  related + comments,
			want:   []string{"Jane Doe", "John Roe"}, src: "text",
		},
		{
			name:   "a link to the author's page, a role beside it",
			header: `<div class="meta"><a href="/autor/anna-schmidt">Anna Schmidt</a> <span>Redakteurin</span></div>`,
			want:   []string{"Anna Schmidt"}, src: "text",
		},
		{
			name:   "a French byline with two authors and the agency",
			header: `<p class="signature">Par Claire Dubois et Marc Petit (avec AFP)</p>`,
			want:   []string{"Claire Dubois", "Marc Petit"}, src: "text",
		},
		{
			name:   "a byline line in the text, with its date glued on",
			header: `<p>Door Pieter de Vries 12 maart 2021, 14:05</p>`,
			want:   []string{"Pieter de Vries"}, src: "text",
		},
		{
			name:  "no byline: related stories and comments name nobody for the story",
			after: related + comments,
			want:  nil, src: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := extractHTML(t, "https://times.example/local/council-closes-old-bridge", storyPage(tt.head, tt.header, tt.after))
			if !reflect.DeepEqual(a.Authors, tt.want) || a.Provenance["authors"] != tt.src {
				t.Errorf("authors %q from %q, want %q from %q", a.Authors, a.Provenance["authors"], tt.want, tt.src)
			}
		})
	}
}
