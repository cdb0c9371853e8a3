package notify_test

import (
	"bytes"
	"flag"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"redline/internal/live"
	"redline/internal/notify"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

var (
	t0  = time.Date(2011, 11, 30, 9, 0, 0, 0, time.UTC)
	msk = time.FixedZone("MSK", 4*3600)
	doc = notify.DocInfo{ID: "0123456789abcdef0123456789abcdef", Slug: "klastery-2011",
		Title: "Итоговый документ конференции «Государственная поддержка инновационных кластеров»"}
)

func renderer(t testing.TB) *notify.Renderer {
	return &notify.Renderer{
		From:     mail.Address{Name: "Redline", Address: "redline@example.org"},
		Links:    notify.Links{Base: "https://redline.example.org"},
		Signer:   signer(t),
		Location: msk,
	}
}

func ev(seq int64, kind live.Kind, p live.Payload) live.Event {
	p.At = t0.Add(time.Duration(seq) * time.Minute)
	return live.Event{ID: seq, Document: doc.ID, Kind: kind, ActorID: 9, Data: p}
}

func digestItems() []notify.Item {
	return []notify.Item{
		{User: 1, Topic: notify.Decisions, Event: ev(10, live.ProposalDecided, live.Payload{Proposal: 3, Revision: 6, Decision: "accepted",
			Votes: &live.Votes{For: 112, Against: 3, Abstained: 5}, Actor: "chair"})},
		{User: 1, Topic: notify.Decisions, Event: ev(11, live.ProposalDecided, live.Payload{Proposal: 4, Decision: "rejected",
			Reason: "дублирует пункт 12 <script>alert(1)</script>", Actor: "chair"})},
		{User: 1, Topic: notify.Replies, Event: ev(12, live.CommentAdded, live.Payload{Comment: 31, ReplyTo: 30, Revision: 6,
			Actor: "petrov"})},
		{User: 1, Topic: notify.Revisions, Event: ev(13, live.RevisionCommitted, live.Payload{Revision: 7, Actor: "chair"})},
		{User: 1, Topic: notify.Adoptions, Event: ev(14, live.Adopted, live.Payload{Revision: 7, Stage: "basis"})},
	}
}

func recipient(lang string) notify.Recipient {
	return notify.Recipient{Account: notify.Account{ID: 1, Login: "ivanov", Name: "Иван Иванов", Email: "ivanov@example.org", Lang: lang},
		Topics: notify.AllTopics, Mail: true}
}

// parsed is a rendered mail taken apart by the standard library's readers.
type parsed struct {
	header     mail.Header
	subject    string
	text, html string
}

func parse(t *testing.T, raw []byte) parsed {
	t.Helper()
	for i, line := range bytes.Split(raw, []byte("\r\n")) {
		if len(line) > 998 {
			t.Fatalf("line %d is %d bytes long", i, len(line))
		}
		if bytes.ContainsAny(line, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF", i)
		}
		for _, c := range line {
			if c >= 0x80 {
				t.Fatalf("line %d is not 7-bit: %q", i, line)
			}
		}
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var p parsed
	p.header = m.Header
	dec := new(mime.WordDecoder)
	if p.subject, err = dec.DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for i := 0; ; i++ {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			if i != 2 {
				t.Fatalf("%d parts, want 2", i)
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if part.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
			t.Fatalf("part %d encoding %q", i, part.Header.Get("Content-Transfer-Encoding"))
		}
		b, err := io.ReadAll(quotedprintable.NewReader(part))
		if err != nil {
			t.Fatal(err)
		}
		switch part.Header.Get("Content-Type") {
		case "text/plain; charset=utf-8":
			p.text = string(b)
		case "text/html; charset=utf-8":
			p.html = string(b)
		default:
			t.Fatalf("part %d of type %q", i, part.Header.Get("Content-Type"))
		}
	}
	return p
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update and review the diff):\n%s", name, got)
	}
}

func TestRenderDigest(t *testing.T) {
	r := renderer(t)
	for _, lang := range []string{"ru", "en"} {
		t.Run(lang, func(t *testing.T) {
			raw, err := r.Render(notify.Digest{Key: "u1-e10", To: recipient(lang), Doc: doc, Items: digestItems(), Date: t0.Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "digest-"+lang+".eml", raw)
			p := parse(t, raw)
			h := p.header
			to, err := h.AddressList("To")
			if err != nil || len(to) != 1 || to[0].Name != "Иван Иванов" || to[0].Address != "ivanov@example.org" {
				t.Errorf("To %v, %v", to, err)
			}
			if h.Get("Content-Language") != lang || h.Get("Auto-Submitted") != "auto-generated" {
				t.Errorf("Content-Language %q, Auto-Submitted %q", h.Get("Content-Language"), h.Get("Auto-Submitted"))
			}
			if id := h.Get("Message-ID"); id != r.MessageID("u1-e10") || !strings.HasSuffix(id, "@redline.example.org>") {
				t.Errorf("Message-ID %q", id)
			}
			if got, _ := h.Date(); !got.Equal(t0.Add(time.Hour)) {
				t.Errorf("Date %v", got)
			}
			if h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
				t.Errorf("List-Unsubscribe-Post %q", h.Get("List-Unsubscribe-Post"))
			}
			lu := h.Get("List-Unsubscribe")
			if !strings.HasPrefix(lu, "<https://redline.example.org/unsubscribe/") || !strings.HasSuffix(lu, ">") {
				t.Fatalf("List-Unsubscribe %q", lu)
			}
			tok, err := r.Signer.Verify(strings.TrimPrefix(strings.Trim(lu, "<>"), "https://redline.example.org/unsubscribe/"))
			if err != nil || tok.Purpose != notify.Unsubscribe || tok.User != 1 || tok.Document != doc.ID || tok.Topics != notify.AllTopics || tok.Lang != lang {
				t.Errorf("the List-Unsubscribe token is %+v, %v", tok, err)
			}
			want := map[string][]string{
				"ru": {"Здравствуйте, Иван Иванов!", "Ваша поправка №3 принята. Текст вошёл в редакцию 6. Голосование: за — 112, против — 3, воздержались — 5.",
					"Ваша поправка №4 отклонена.", "Ответ от petrov в обсуждении", "Новая редакция 7 (chair).",
					"Редакция 7 принята за основу.", "30.11.2011 13:10 MSK", "ничего по этому документу"},
				"en": {"Hello Иван Иванов,", "Your amendment #3 was accepted. It is in revision 6. Vote: 112 for, 3 against, 5 abstained.",
					"Your amendment #4 was rejected.", "petrov replied in a thread you took part in.", "New revision 7 (chair).",
					"Revision 7 was adopted as a basis.", "30 Nov 2011 13:10 MSK", "anything in this document"},
			}[lang]
			for _, s := range want {
				if !strings.Contains(p.text, s) {
					t.Errorf("the text part lacks %q:\n%s", s, p.text)
				}
			}
			if wantSubj := map[string]string{"ru": "5 новых событий", "en": "5 updates"}[lang]; !strings.HasPrefix(p.subject, "[Итоговый документ") || !strings.HasSuffix(p.subject, wantSubj) {
				t.Errorf("Subject %q", p.subject)
			}
			if !strings.Contains(p.text, "<script>alert(1)</script>") {
				t.Error("the text part should carry the reason as written")
			}
			if strings.Contains(p.html, "<script>") || !strings.Contains(p.html, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Error("the HTML part does not escape the reason")
			}
			for _, link := range []string{
				"https://redline.example.org/documents/klastery-2011/proposals/3",
				"https://redline.example.org/documents/klastery-2011?rev=6#c-31",
				"https://redline.example.org/documents/klastery-2011?rev=7",
				"https://redline.example.org/documents/klastery-2011/notifications",
			} {
				if !strings.Contains(p.text, link) || !strings.Contains(p.html, strings.ReplaceAll(link, "#", "#")) {
					t.Errorf("a part lacks the link %s", link)
				}
			}
			// One unsubscribe link per topic in the mail, and one for all.
			if n := strings.Count(p.text, "https://redline.example.org/unsubscribe/"); n != 5 {
				t.Errorf("%d unsubscribe links in the text, want 5", n)
			}
		})
	}
}

func TestRenderOneItemAndMore(t *testing.T) {
	r := renderer(t)
	r.MaxItems = 2
	raw, err := r.Render(notify.Digest{Key: "u1-e10", To: recipient("ru"), Doc: doc, Items: digestItems()[:1], Date: t0})
	if err != nil {
		t.Fatal(err)
	}
	if p := parse(t, raw); !strings.HasSuffix(p.subject, "] Ваша поправка №3 принята. Текст вошёл в редакцию 6. Голосование: за — 112, против — 3, воздержались — 5.") {
		t.Errorf("one item's subject %q", p.subject)
	}
	raw, err = r.Render(notify.Digest{Key: "u1-e10", To: recipient("ru"), Doc: doc, Items: digestItems(), Date: t0})
	if err != nil {
		t.Fatal(err)
	}
	p := parse(t, raw)
	if !strings.Contains(p.text, "И ещё 3 — в журнале документа: https://redline.example.org/documents/klastery-2011/events") ||
		strings.Contains(p.text, "Новая редакция 7") {
		t.Errorf("MaxItems 2 of 5:\n%s", p.text)
	}
}

func TestRenderRefuses(t *testing.T) {
	r := renderer(t)
	for name, d := range map[string]notify.Digest{
		"no items":        {Key: "k", To: recipient("ru"), Doc: doc},
		"no address":      {Key: "k", To: notify.Recipient{}, Doc: doc, Items: digestItems()},
		"a key with dots": {Key: "a.b", To: recipient("ru"), Doc: doc, Items: digestItems()},
	} {
		if _, err := r.Render(d); err == nil {
			t.Errorf("%s: rendered", name)
		}
	}
}
