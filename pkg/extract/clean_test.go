package extract

import (
	"strings"
	"testing"
)

func TestDetectLanguage(t *testing.T) {
	tests := []struct{ give, want string }{
		{give: "The government said on Monday that it would not change the plan, which has been criticised by the opposition.", want: "en"},
		{give: "Die Regierung hat am Montag erklärt, dass sie den Plan nicht ändern wird, der von der Opposition kritisiert wurde.", want: "de"},
		{give: "Le gouvernement a déclaré lundi qu'il ne changerait pas le plan, qui a été critiqué par l'opposition.", want: "fr"},
		{give: "El gobierno dijo el lunes que no cambiará el plan, que ha sido criticado por la oposición y por los sindicatos.", want: "es"},
		{give: "Il governo ha detto lunedì che non cambierà il piano, che è stato criticato dall'opposizione e dai sindacati.", want: "it"},
		{give: "O governo disse na segunda-feira que não vai mudar o plano, que foi criticado pela oposição e pelos sindicatos.", want: "pt"},
		{give: "De regering heeft maandag gezegd dat zij het plan niet zal wijzigen, dat door de oppositie is bekritiseerd.", want: "nl"},
		{give: "Правительство заявило в понедельник, что не будет менять план, который раскритиковала оппозиция.", want: "ru"},
		{give: "東京では明日、朝から雨が降る見込みで、気象庁は交通機関への影響に注意するよう呼びかけています。", want: "ja"},
		{give: "서울시는 내년부터 대중교통 요금을 인상한다고 밝혔으며 시민들의 의견을 수렴할 계획이다.", want: "ko"},
		{give: "ok", want: ""},
	}
	for _, tt := range tests {
		if got := detectLanguage(tt.give); got != tt.want {
			t.Errorf("detectLanguage(%.30q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestBoilerplateLines(t *testing.T) {
	tests := []struct {
		give string
		junk bool // isJunk
		sign bool // isSignOff
	}{
		{give: "Protesters have worn masks to protect their identities (Image: GETTY )", junk: true},
		{give: "A 14th century plague doctor (Photo: Getty Images)", junk: true},
		{give: "Image 3 of 5", junk: true},
		{give: "Advert", junk: true},
		{give: "The vote (held in 2019) was close.", junk: false},
		{give: "Email Tariq Malik at tmalik@space.example or follow him @tariqjmalik.", sign: true},
		{give: "Follow her on Twitter @AmyKup or on Facebook.", sign: true},
		{give: "Get the latest updates right in your inbox. Subscribe to our newsletters.", sign: true},
		{give: "He said he would follow the talks closely and post updates on Twitter.", sign: false},
		{give: "Contact the council at the town hall.", sign: false},
	}
	for _, tt := range tests {
		if got := isJunk(tt.give); got != tt.junk {
			t.Errorf("isJunk(%q) = %v, want %v", tt.give, got, tt.junk)
		}
		if got := isSignOff(tt.give); got != tt.sign {
			t.Errorf("isSignOff(%q) = %v, want %v", tt.give, got, tt.sign)
		}
	}
}

func TestQuoteAttributionKept(t *testing.T) {
	page := `<html><body><article><h1>Governor defends campaign slogan</h1>
<p>Updated: November 19, 2019</p>
<p>The governor defended the state's new anti-drug campaign on Tuesday, saying it had people talking, which was the point.</p>
<blockquote class="twitter-tweet"><p>I love that they trademarked it, nobody is going to take your slogan.</p>— Robert Roe (@robertroe) <a href="https://twitter.example/robertroe/status/1">November 18, 2019</a></blockquote>
<p>The campaign cost the state nearly half a million dollars, according to officials, and will run for a year.</p>
</article></body></html>`
	a, err := Extract(Input{URL: "https://news.example/2019/11/19/slogan", Body: []byte(page), Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Body, "— Robert Roe (@robertroe) November 18, 2019") {
		t.Errorf("quote attribution dropped:\n%s", a.Body)
	}
	if strings.Contains(a.Body, "Updated: November 19, 2019") {
		t.Errorf("story dateline kept:\n%s", a.Body)
	}
}

func TestEmbeddedPostsKept(t *testing.T) {
	page := `<html><body><article><h1>State's anti-drug slogan draws ridicule</h1>
<p>The state's new slogan for an anti-drug campaign drew a great deal of attention on social media on Monday, most of it not the kind its authors had hoped for.</p>
<div class="social-media-embed"><blockquote class="twitter-tweet"><p>Yes this is real and yes the state spent nearly half a million dollars on it.</p>— Dana Example (@danaexample) <a href="https://twitter.example/danaexample/status/1">November 18, 2019</a></blockquote></div>
<p>Officials said the campaign would run for a year and that the attention showed it was working, whatever people made of the wording.</p>
<div class="social-share"><a href="https://twitter.example/share">Share on Twitter</a> <a href="https://facebook.example/share">Share on Facebook</a></div>
</article></body></html>`
	a, err := Extract(Input{URL: "https://news.example/2019/11/19/slogan", Body: []byte(page), Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Body, "Yes this is real") {
		t.Errorf("embedded post dropped:\n%s", a.Body)
	}
	if strings.Contains(a.Body, "Share on") {
		t.Errorf("share widget kept:\n%s", a.Body)
	}
}

// An inline box marked as a caption or as boilerplate that opens a
// paragraph (an image wrapper of spans with its caption inside, before the
// story's first words) is dropped as a unit; its text is not run into the
// paragraph's.
func TestInlineCaptionDropped(t *testing.T) {
	for _, lead := range []string{"", "\n  "} {
		page := `<html><body><article><h1>Harbour ferry returns after repairs</h1>
<p>` + lead + `<span class="image-container"><span class="image"><img src="/ferry.jpg" alt="The ferry at the quay"><span class="caption-source"><span class="caption">The ferry at the quay on Monday morning.</span><span class="source">Wire Photo</span></span></span></span>The harbour ferry returned to service on Monday after six weeks of repairs to its engines, the port authority said.</p>
<p>Commuters had used a replacement bus that added forty minutes to the trip across the bay, and the authority apologised for the delay.</p>
<p>The ferry will run every half hour during the week and every hour on weekends until the summer timetable starts in June.</p>
</article></body></html>`
		a, err := Extract(Input{URL: "https://news.example/2024/03/04/ferry", Body: []byte(page), Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(a.Body, "The harbour ferry returned to service on Monday") {
			t.Errorf("lead %q: story's first paragraph dropped:\n%s", lead, a.Body)
		}
		for _, s := range []string{"The ferry at the quay", "Wire Photo"} {
			if strings.Contains(a.Body, s) {
				t.Errorf("lead %q: caption %q kept:\n%s", lead, s, a.Body)
			}
		}
	}
}
