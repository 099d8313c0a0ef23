package extract

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func encode(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}

func charsetPage(metaCharset, title, para string) string {
	meta := ""
	if metaCharset != "" {
		meta = `<meta charset="` + metaCharset + `">`
	}
	return "<!DOCTYPE html><html><head>" + meta + "<title>" + title + "</title></head><body><article><h1>" + title +
		"</h1><p>" + para + "</p><p>" + para + " " + para + "</p></article></body></html>"
}

func TestCharsets(t *testing.T) {
	tests := []struct {
		name        string
		enc         encoding.Encoding
		meta        string // charset in <meta>, "" for none
		contentType string
		title, para string
		bom         []byte
	}{
		{name: "windows-1251 meta", enc: charmap.Windows1251, meta: "windows-1251",
			title: "Новости дня", para: "Правительство утвердило новый бюджет на следующий год, сообщили в министерстве финансов."},
		{name: "windows-1251 header", enc: charmap.Windows1251, contentType: "text/html; charset=windows-1251",
			title: "Новости дня", para: "Правительство утвердило новый бюджет на следующий год, сообщили в министерстве финансов."},
		{name: "iso-8859-1", enc: charmap.ISO8859_1, meta: "iso-8859-1",
			title: "Élection à Montréal", para: "Les électeurs se sont rendus aux urnes dimanche pour élire le nouveau maire de la ville, après une campagne très disputée."},
		{name: "iso-8859-15 euro", enc: charmap.ISO8859_15, contentType: "text/html;charset=ISO-8859-15",
			title: "Preise in €", para: "Die Preise stiegen um 5 € pro Monat, sagte der Sprecher des Verbandes am Dienstag in München."},
		{name: "shift_jis", enc: japanese.ShiftJIS, meta: "Shift_JIS",
			title: "東京の天気", para: "東京では明日、朝から雨が降る見込みで、気象庁は交通機関への影響に注意するよう呼びかけています。"},
		{name: "gb2312", enc: simplifiedchinese.GBK, meta: "gb2312",
			title: "北京新闻", para: "北京市政府今天宣布，将在明年开通三条新的地铁线路，以缓解城市交通压力。"},
		{name: "euc-kr", enc: korean.EUCKR, contentType: "text/html; charset=euc-kr",
			title: "서울 뉴스", para: "서울시는 내년부터 대중교통 요금을 인상한다고 밝혔으며 시민들의 의견을 수렴할 계획이다."},
		{name: "utf-16le bom", enc: unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), bom: []byte{0xFF, 0xFE},
			title: "Grüße aus Köln", para: "Der Dom wurde am Wochenende von mehr als hunderttausend Menschen besucht, teilte die Stadt mit."},
		{name: "utf-16be header", enc: unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), contentType: "text/html; charset=utf-16be",
			title: "Grüße aus Köln", para: "Der Dom wurde am Wochenende von mehr als hunderttausend Menschen besucht, teilte die Stadt mit."},
		{name: "utf-8 despite latin-1 header", enc: encoding.Nop, contentType: "text/html; charset=iso-8859-1",
			title: "Café crème", para: "Le café du coin a rouvert ses portes après des travaux qui ont duré tout l'hiver dernier."},
		{name: "utf-8 meta late in page", enc: encoding.Nop,
			title: "Ñandú en el zoológico", para: "El zoológico presentó este martes a su nuevo ñandú, que llegó desde el sur del país en un viaje de tres días."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := append([]byte{}, tt.bom...)
			body = append(body, encode(t, tt.enc, charsetPage(tt.meta, tt.title, tt.para))...)
			a, err := Extract(Input{URL: "https://example.org/a/story-slug-here", ContentType: tt.contentType, Body: body, Now: testNow})
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if a.Title != tt.title {
				t.Errorf("title %q, want %q", a.Title, tt.title)
			}
			if !strings.Contains(a.Body, tt.para) {
				t.Errorf("body %q lacks %q", a.Body, tt.para)
			}
		})
	}
}

func TestDecodeSniffsMetaBeyond1024(t *testing.T) {
	long := strings.Repeat("<!-- padding -->", 200)
	src := "<html><head>" + long + `<meta http-equiv="Content-Type" content="text/html; charset=windows-1251"><title>Привет</title></head><body><p>Привет, мир! Это проверка.</p></body></html>`
	body := encode(t, charmap.Windows1251, src)
	a, err := Extract(Input{Body: body, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Привет" {
		t.Errorf("title %q, want Привет", a.Title)
	}
}
