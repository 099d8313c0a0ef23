package extract

import (
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	ist := time.FixedZone("", 5*3600+30*60)
	tests := []struct {
		give string
		mdy  bool
		want string // RFC 3339, "" for no date
	}{
		// machine formats
		{give: "2020-08-22T03:04:00+05:30", want: "2020-08-22T03:04:00+05:30"},
		{give: "2020-08-22T03:04:00.123Z", want: "2020-08-22T03:04:00Z"},
		{give: "2020-08-22T03:04+0530", want: "2020-08-22T03:04:00+05:30"},
		{give: "2020-08-22 03:04:05", want: "2020-08-22T03:04:05Z"},
		{give: "2020-08-22", want: "2020-08-22T00:00:00Z"},
		{give: "2020/08/22", want: "2020-08-22T00:00:00Z"},
		{give: "20200822", want: "2020-08-22T00:00:00Z"},
		{give: "Sat, 22 Aug 2020 03:04:00 GMT", want: "2020-08-22T03:04:00Z"},
		{give: "Sat, 22 Aug 2020 03:04:00 +0200", want: "2020-08-22T03:04:00+02:00"},
		// English
		{give: "Aug. 22, 2020, 3:04 PM EDT", want: "2020-08-22T15:04:00-04:00"},
		{give: "August 22nd, 2020 at 11:05 a.m.", want: "2020-08-22T11:05:00Z"},
		{give: "22 August 2020 12:15 am BST", want: "2020-08-22T00:15:00+01:00"},
		{give: "Updated: 22-08-2020 03:12 IST", want: time.Date(2020, 8, 22, 3, 12, 0, 0, ist).Format(time.RFC3339)},
		{give: "Monday, May 4, 2020", want: "2020-05-04T00:00:00Z"},
		{give: "may be tomorrow", want: ""},
		{give: "October 14, 2019 3:45 a.m. CET", want: "2019-10-14T03:45:00+01:00"},
		{give: "February 5, 2021 1:32 p.m. IST", want: time.Date(2021, 2, 5, 13, 32, 0, 0, ist).Format(time.RFC3339)},
		{give: "公開: 2020年4月14日 04:34 JST", want: "2020-04-14T04:34:00+09:00"},
		{give: "2023年11月12日 16:30", want: "2023-11-12T16:30:00Z"},
		{give: "입력 2021년 3월 5일 09:10", want: "2021-03-05T09:10:00Z"},
		{give: "2020年13月40日", want: ""},
		// a name that is also a month ("Marco", Portuguese March) before the date
		{give: "By Marco Okafor September 21, 2025 5:08 a.m. GMT", want: "2025-09-21T05:08:00Z"},
		{give: "Marco Rossi, 22.08.2020", want: "2020-08-22T00:00:00Z"},
		{give: "August 2020", want: "2020-08-01T00:00:00Z"},
		// Russian
		{give: "28 апреля 2025, 01:12 МСК", want: "2025-04-28T01:12:00+03:00"},
		// German
		{give: "22. August 2020, 14:30 Uhr", want: "2020-08-22T14:30:00Z"},
		{give: "Veröffentlicht am 3. März 2021 um 08:15 MEZ", want: "2021-03-03T08:15:00+01:00"},
		{give: "22.08.2020", want: "2020-08-22T00:00:00Z"},
		// French
		{give: "Publié le 14 juillet 2019 à 18h30", want: "2019-07-14T18:30:00Z"},
		{give: "1er décembre 2018", want: "2018-12-01T00:00:00Z"},
		{give: "mis à jour le 5 févr. 2020", want: "2020-02-05T00:00:00Z"},
		// Spanish
		{give: "22 de agosto de 2020", want: "2020-08-22T00:00:00Z"},
		{give: "Actualizado el 3 de septiembre de 2019, 10:20", want: "2019-09-03T10:20:00Z"},
		// Italian
		{give: "12 maggio 2018", want: "2018-05-12T00:00:00Z"},
		{give: "Pubblicato il 7 gennaio 2021 alle 09:45", want: "2021-01-07T09:45:00Z"},
		// Portuguese
		{give: "5 de março de 2022", want: "2022-03-05T00:00:00Z"},
		{give: "Atualizado em 30 de outubro de 2017 às 16h05", want: "2017-10-30T16:05:00Z"},
		// Dutch
		{give: "21 maart 2017", want: "2017-03-21T00:00:00Z"},
		{give: "Gepubliceerd op 2 okt. 2016 om 13:10", want: "2016-10-02T13:10:00Z"},
		// the other languages the extractor detects
		{give: "3. března 2021", want: "2021-03-03T00:00:00Z"},                // Czech, genitive
		{give: "Publikováno 1. 11. 2021 10:52", want: "2021-11-01T10:52:00Z"}, // Czech numeric with spaces
		{give: "5 maja 2020", want: "2020-05-05T00:00:00Z"},                   // Polish
		{give: "12 listopada 2019 r.", want: "2019-11-12T00:00:00Z"},          // Polish
		{give: "Publicerad 4 augusti 2020 kl 07.15", want: "2020-08-04T00:00:00Z"},
		{give: "4. desember 2018", want: "2018-12-04T00:00:00Z"},       // Norwegian
		{give: "15. marts 2017", want: "2017-03-15T00:00:00Z"},         // Danish
		{give: "3. maaliskuuta 2021", want: "2021-03-03T00:00:00Z"},    // Finnish
		{give: "2021. március 3.", want: "2021-03-03T00:00:00Z"},       // Hungarian: year first
		{give: "12 Şubat 2020 Çarşamba", want: "2020-02-12T00:00:00Z"}, // Turkish
		{give: "12 SUBAT 2020", want: "2020-02-12T00:00:00Z"},          // Turkish in capitals
		{give: "7 Agustus 2019", want: "2019-08-07T00:00:00Z"},         // Indonesian
		{give: "21 octombrie 2016", want: "2016-10-21T00:00:00Z"},      // Romanian
		{give: "17 вересня 2020", want: "2020-09-17T00:00:00Z"},        // Ukrainian
		{give: "5 Ιανουαρίου 2021", want: "2021-01-05T00:00:00Z"},      // Greek
		{give: "5 ΙΑΝΟΥΑΡΙΟΥ 2021", want: "2021-01-05T00:00:00Z"},      // Greek capitals drop the accent
		{give: "15 مارس 2021", want: "2021-03-15T00:00:00Z"},           // Arabic
		{give: "١٥ مارس ٢٠٢١", want: "2021-03-15T00:00:00Z"},           // Arabic-Indic digits
		{give: "14 במרץ 2020", want: "2020-03-14T00:00:00Z"},           // Hebrew, "in March"
		{give: "14 मार्च 2020", want: "2020-03-14T00:00:00Z"},          // Hindi
		{give: "14 มีนาคม 2563", want: "2020-03-14T00:00:00Z"},         // Thai, Buddhist era
		{give: "22nd of August 2020", want: "2020-08-22T00:00:00Z"},
		{give: "2020年4月14日午後3時", want: "2020-04-14T00:00:00Z"},
		// the first date in the text wins, whatever its form
		{give: "22.08.2020, corrected on 1 September 2020", want: "2020-08-22T00:00:00Z"},
		// numeric day/month order
		{give: "03/04/2020", mdy: true, want: "2020-03-04T00:00:00Z"},
		{give: "03/04/2020", mdy: false, want: "2020-04-03T00:00:00Z"},
		{give: "13/04/2020", mdy: true, want: "2020-04-13T00:00:00Z"},
		{give: "04/13/2020", mdy: false, want: "2020-04-13T00:00:00Z"},
		// not dates
		{give: "", want: ""},
		{give: "Page 3 of 12", want: ""},
		{give: "2020-13-45", want: ""},
		{give: "Call 555-12-2020-33 now", want: ""},    // a run of numbers
		{give: "May the best team win 2020", want: ""}, // "May" without a day
		{give: "3 days ago", want: ""},
	}
	for _, tt := range tests {
		got, ok := parseDate(tt.give, tt.mdy, testNow)
		s := ""
		if ok {
			s = got.Format(time.RFC3339)
		}
		if s != tt.want {
			t.Errorf("parseDate(%q, %v) = %q, want %q", tt.give, tt.mdy, s, tt.want)
		}
	}
}

func TestValidDate(t *testing.T) {
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		give time.Time
		want bool
	}{
		{give: time.Date(1994, 12, 31, 0, 0, 0, 0, time.UTC), want: false},
		{give: time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC), want: true},
		{give: time.Date(2024, 6, 1, 23, 0, 0, 0, time.UTC), want: true},
		{give: time.Date(2024, 6, 5, 0, 0, 0, 0, time.UTC), want: false},
	}
	for _, tt := range tests {
		if got := validDate(tt.give, now); got != tt.want {
			t.Errorf("validDate(%v) = %v, want %v", tt.give, got, tt.want)
		}
	}
	// A zero clock sets no upper bound, only the lower one.
	if !validDate(time.Date(2150, 1, 1, 0, 0, 0, 0, time.UTC), time.Time{}) {
		t.Error("validDate(2150, zero now) = false, want true")
	}
	if validDate(time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), time.Time{}) {
		t.Error("validDate(1990, zero now) = true, want false")
	}
}

// TestTwoDigitYears checks that the clock, not the machine's, reads
// two-digit years.
func TestTwoDigitYears(t *testing.T) {
	tests := []struct {
		give string
		now  time.Time
		want string
	}{
		{give: "22/08/20", now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), want: "2020-08-22"},
		{give: "22/08/25", now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), want: "2025-08-22"},
		{give: "22/08/26", now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), want: "1926-08-22"},
		{give: "22/08/99", now: time.Time{}, want: "1999-08-22"},
		{give: "22/08/20", now: time.Time{}, want: "2020-08-22"},
	}
	for _, tt := range tests {
		got, ok := parseDate(tt.give, false, tt.now)
		if !ok || got.Format("2006-01-02") != tt.want {
			t.Errorf("parseDate(%q, now %v) = %v %v, want %s", tt.give, tt.now, got, ok, tt.want)
		}
	}
}

func TestURLDate(t *testing.T) {
	tests := []struct{ give, want string }{
		{give: "/2019/11/18/some-story/", want: "2019-11-18"},
		{give: "/news/2020-08-22/story", want: "2020-08-22"},
		{give: "/news/story-20200822.html", want: "2020-08-22"},
		{give: "/2019/11/some-story", want: ""},
		{give: "/archive/1234567/story", want: ""},
	}
	for _, tt := range tests {
		got, ok := urlDate(tt.give)
		s := ""
		if ok {
			s = got.Format("2006-01-02")
		}
		if s != tt.want {
			t.Errorf("urlDate(%q) = %q, want %q", tt.give, s, tt.want)
		}
	}
}

func TestTextDates(t *testing.T) {
	tests := []struct{ give, pub, mod string }{
		{
			give: "Reuters | Updated: 22-08-2020 03:12 IST | Created: 22-08-2020 03:04 IST",
			pub:  "2020-08-22T03:04:00+05:30", mod: "2020-08-22T03:12:00+05:30",
		},
		{
			give: "October 14, 2019 3:45 a.m. CET (updated October 15, 2019 3:15 a.m. CET)",
			pub:  "2019-10-14T03:45:00+01:00", mod: "2019-10-15T03:15:00+01:00",
		},
		{
			give: "Published 2 January 2021, 15:04 GMT Updated 3 January 2021, 09:10 GMT",
			pub:  "2021-01-02T15:04:00Z", mod: "2021-01-03T09:10:00Z",
		},
		{give: "Last modified on 3 January 2021, 09:10 GMT", mod: "2021-01-03T09:10:00Z"},
		{give: "Опубликовано: 28 апреля 2025, 01:12 МСК Обновлено: 28 апреля 2025, 19:41 МСК", pub: "2025-04-28T01:12:00+03:00", mod: "2025-04-28T19:41:00+03:00"},
		{give: "Veröffentlicht am 03.03.2021 | Aktualisiert am 04.03.2021", pub: "2021-03-03T00:00:00Z", mod: "2021-03-04T00:00:00Z"},
		{give: "Stand: 29.03.2017", mod: "2017-03-29T00:00:00Z"},
		{give: "Publié le 14/07/2019 à 18h30, mis à jour le 15/07/2019", pub: "2019-07-14T18:30:00Z", mod: "2019-07-15T00:00:00Z"},
		{give: "Erschienen: 07.02.2019", pub: "2019-02-07T00:00:00Z"},
		{give: "I understand 12 May 2020 was the day", pub: "2020-05-12T00:00:00Z"}, // "stand" inside a word is no label
	}
	str := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format(time.RFC3339)
	}
	for _, tt := range tests {
		pub, mod := textDates(tt.give, false, testNow)
		if str(pub) != tt.pub || str(mod) != tt.mod {
			t.Errorf("textDates(%q) = %q, %q, want %q, %q", tt.give, str(pub), str(mod), tt.pub, tt.mod)
		}
	}
}

func TestFindDates(t *testing.T) {
	tests := []struct {
		give string
		want []string
	}{
		{give: "Sonntags, ab 05.03.2017 und Mittwochs, ab 29.03.2017", want: []string{"2017-03-05", "2017-03-29"}},
		{give: "On 3 May 2019 the council met; by June 4, 2019 it had voted.", want: []string{"2019-05-03", "2019-06-04"}},
		{give: "No dates here, only 42 numbers.", want: nil},
	}
	for _, tt := range tests {
		var got []string
		for _, d := range findDates(tt.give, false, testNow, 8) {
			got = append(got, d.Format("2006-01-02"))
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("findDates(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}
