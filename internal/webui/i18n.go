package webui

import (
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/pelletier/go-toml/v2"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"redline/web"
)

// Languages the interface speaks, the first being the default.
var languages = []language.Tag{language.Russian, language.English}

// langCookie remembers the reader's choice of language.
const langCookie = "redline_lang"

// translator speaks one language: messages, dates and numbers.
type translator struct {
	tag     string // "ru" or "en"
	loc     *i18n.Localizer
	printer *message.Printer
	months  [12]string
	missing func(id string) // called for a message missing from the locale files
}

// translators loads every locale file and returns one translator per
// language, keyed by its tag.
func translators(missing func(id string)) (map[string]*translator, error) {
	bundle := i18n.NewBundle(language.Russian)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files, err := fs.Glob(web.Locales, "locales/*.toml")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		b, err := fs.ReadFile(web.Locales, f)
		if err != nil {
			return nil, err
		}
		if _, err := bundle.ParseMessageFileBytes(b, path.Base(f)); err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
	}
	out := map[string]*translator{}
	for _, tag := range languages {
		base, _ := tag.Base()
		t := &translator{tag: base.String(), loc: i18n.NewLocalizer(bundle, base.String()),
			printer: message.NewPrinter(tag), missing: missing}
		for i := range t.months {
			t.months[i] = t.T(fmt.Sprintf("month.%d", i+1))
		}
		out[t.tag] = t
	}
	return out, nil
}

// T translates a message. args are pairs of names and values for the
// message's template; a value named Count also chooses the plural form.
func (t *translator) T(id string, args ...any) string {
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(args) > 0 {
		data := map[string]any{}
		for i := 0; i+1 < len(args); i += 2 {
			k, _ := args[i].(string)
			data[k] = args[i+1]
			if k == "Count" {
				cfg.PluralCount = args[i+1]
			}
		}
		cfg.TemplateData = data
	}
	s, err := t.loc.Localize(cfg)
	if err != nil {
		if t.missing != nil {
			t.missing(id)
		}
		return "⟦" + id + "⟧"
	}
	return s
}

// Date writes a day as the language writes it: «30 ноября 2011 г.»,
// "30 November 2011".
func (t *translator) Date(at time.Time) string {
	if at.IsZero() {
		return ""
	}
	at = at.In(displayZone)
	return t.T("date.format", "Day", at.Day(), "Month", t.months[at.Month()-1], "Year", at.Year())
}

// DateTime is Date with the time of day.
func (t *translator) DateTime(at time.Time) string {
	if at.IsZero() {
		return ""
	}
	at = at.In(displayZone)
	return t.T("date.time", "Date", t.Date(at), "Time", at.Format("15:04"))
}

// Num writes an integer with the language's digit grouping.
func (t *translator) Num(n any) string { return t.printer.Sprintf("%d", n) }

// displayZone is Moscow time, where the working groups Redline is made for
// meet; times are shown with their zone named in the locale files.
var displayZone = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Moscow"); err == nil {
		return l
	}
	return time.FixedZone("MSK", 3*3600)
}()

var langMatcher = language.NewMatcher(languages)

// pickLanguage chooses the page's language: the remembered choice, else the
// browser's Accept-Language, else Russian.
func pickLanguage(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil {
		switch c.Value {
		case "ru", "en":
			return c.Value
		}
	}
	accept := r.Header.Get("Accept-Language")
	if strings.TrimSpace(accept) == "" {
		return "ru"
	}
	_, i := language.MatchStrings(langMatcher, accept)
	base, _ := languages[i].Base()
	return base.String()
}

// Maybe translates a message that may not exist (an audit event kind added
// after this interface was written), giving "" for a missing one.
func (t *translator) Maybe(id string) string {
	s, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: id})
	if err != nil {
		return ""
	}
	return s
}
