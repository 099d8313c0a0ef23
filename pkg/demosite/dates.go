package demosite

import (
	"fmt"
	"time"
)

// Visible date formats. Every visible date names its zone, so a reader (and
// an extractor) can recover the exact instant and offset of Manifest.Published.

var (
	monthsDE = []string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"}
	monthsFR = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	monthsRU = []string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"}
)

// visibleDate formats t in one of the English styles, or in the language of
// a non-English story.
func visibleDate(t time.Time, z zone, lang string, style int) string {
	switch lang {
	case "de":
		return fmt.Sprintf("%d. %s %d, %s Uhr %s", t.Day(), monthsDE[t.Month()-1], t.Year(), t.Format("15:04"), z.name)
	case "fr":
		return fmt.Sprintf("%d %s %d à %s %s", t.Day(), monthsFR[t.Month()-1], t.Year(), t.Format("15h04"), z.name)
	case "ru":
		return fmt.Sprintf("%d %s %d, %s %s", t.Day(), monthsRU[t.Month()-1], t.Year(), t.Format("15:04"), z.name)
	case "ja":
		return fmt.Sprintf("%d年%d月%d日 %s %s", t.Year(), int(t.Month()), t.Day(), t.Format("15:04"), z.name)
	}
	switch style {
	case 0:
		return t.Format("02-01-2006 15:04") + " " + z.name
	case 1:
		return t.Format("2 January 2006, 15:04") + " " + z.name
	case 2:
		ampm := "a.m."
		if t.Hour() >= 12 {
			ampm = "p.m."
		}
		return t.Format("January 2, 2006 3:04") + " " + ampm + " " + z.name
	default:
		return t.Format("Monday 2 January 2006 15:04") + " " + z.name
	}
}

// shortDate is the date-only form used in teasers and beside <time> tags.
func shortDate(t time.Time) string { return t.Format("Jan 2, 2006") }
