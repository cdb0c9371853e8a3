// Package demo seeds the demonstration data of `redline serve --demo`: the
// final document of the conference «Государственная поддержка инновационных
// кластеров в городе Москве: практика, проблемы и перспективы развития»
// (Moscow, 30 November 2011), with its working group, revisions, proposals,
// comments and an adoption as a basis. Everything goes through the drafting
// service, as a working group would have done it.
package demo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"redline/internal/auth"
	"redline/internal/drafting"
)

// Slug is the demo document's slug.
const Slug = "klastery-2011"

// Title is the demo document's title.
const Title = "Итоговый документ конференции «Государственная поддержка инновационных кластеров в городе Москве: практика, проблемы и перспективы развития»"

// Account is a demo account and its password ("" when it existed before).
type Account struct {
	Login, Name, Role, Password string
}

// ErrExists is returned by Seed when the demo document is already there.
var ErrExists = errors.New("the demo document exists")

// Seed creates the demo accounts and document on behalf of admin. It does
// nothing and returns ErrExists when the document exists already, so a
// restart keeps whatever was done with the demo since.
func Seed(ctx context.Context, svc *drafting.Service, admin *drafting.User) ([]Account, error) {
	if _, err := svc.Documents.Get(ctx, admin, Slug); err == nil {
		return nil, ErrExists
	} else if drafting.ErrorKind(err) != drafting.KindNotFound {
		return nil, fmt.Errorf("look up the demo document: %w", err)
	}
	accounts := []Account{
		{Login: "chair", Name: "Соколова Мария Игоревна, председатель рабочей группы", Role: drafting.RoleChair},
		{Login: "ivanova", Name: "Иванова Анна Сергеевна", Role: drafting.RoleMember},
		{Login: "petrov", Name: "Петров Борис Викторович", Role: drafting.RoleMember},
		{Login: "observer", Name: "Наблюдатель от Общественной палаты", Role: drafting.RoleObserver},
	}
	users := map[string]*drafting.User{}
	for i, a := range accounts {
		u, err := svc.UserByLogin(ctx, a.Login)
		if drafting.ErrorKind(err) == drafting.KindNotFound {
			pw, err := Password()
			if err != nil {
				return nil, err
			}
			hash, err := auth.HashPassword(pw)
			if err != nil {
				return nil, err
			}
			if u, err = svc.Accounts.Add(ctx, admin, drafting.NewUser{Login: a.Login, DisplayName: a.Name, PasswordHash: hash}); err != nil {
				return nil, fmt.Errorf("create demo user %s: %w", a.Login, err)
			}
			accounts[i].Password = pw
		} else if err != nil {
			return nil, fmt.Errorf("look up demo user %s: %w", a.Login, err)
		}
		users[a.Login] = &u
	}
	s := seeder{ctx: ctx, svc: svc}
	text := Revision1
	s.do("create the document", func() error {
		_, err := svc.Documents.Create(ctx, admin, drafting.NewDocument{Slug: Slug, Title: Title, Language: "ru",
			ApprovalsRequired: 1, Text: &text, Message: "Проект итогового документа, подготовленный оргкомитетом"})
		return err
	})
	for _, a := range accounts {
		s.do("grant "+a.Login, func() error { _, err := svc.Members.Set(ctx, admin, Slug, a.Login, a.Role); return err })
	}
	chair, ivanova, petrov, observer := users["chair"], users["ivanova"], users["petrov"], users["observer"]

	// A comment on revision 1 whose passage revision 3 rewrites: it will
	// read "outdated".
	s.comment(ivanova, 1, "до 1 марта 2012 года", "Срок нереалистичен: к 1 марта не успеем согласовать дорожную карту с префектурами.")

	// Revision 2: Иванова's proposal, merged by the chair.
	s.do("proposal 1", func() error {
		p, err := svc.Proposals.Propose(ctx, ivanova, Slug, drafting.NewProposal{Base: 1, Text: []byte(Revision2),
			Title: "Уточнить статус Центра кластерного развития", Rationale: "Центру нужен учредитель и понятная отчётность перед участниками кластеров."})
		if err != nil {
			return err
		}
		_, err = svc.Proposals.Merge(ctx, chair, Slug, p.Number, drafting.MergeInput{Head: 1})
		return err
	})
	// A comment on the monitoring paragraph, which revision 3 moves: it
	// will read "moved".
	s.comment(petrov, 2, "публиковать его результаты в открытом доступе", "Предлагаю указать, где именно публикуются результаты: на портале правительства Москвы.")

	// Revision 3: the chair's edits after the section's discussion: the
	// road map's deadline rewritten, monitoring moved next to the road map.
	s.do("revision 3", func() error {
		_, err := svc.Documents.Commit(ctx, chair, Slug, 2, []byte(Revision3), "Правки по итогам обсуждения на секции: сроки дорожной карты, мониторинг перенесён к дорожной карте")
		return err
	})
	// Revision 4: editorial changes and a new recommendation.
	s.do("revision 4", func() error {
		_, err := svc.Documents.Commit(ctx, chair, Slug, 3, []byte(Revision4), "Редакционные правки; добавлена рекомендация о венчурном финансировании")
		return err
	})
	s.do("general comment", func() error {
		c, err := svc.Comments.Add(ctx, observer, Slug, drafting.NewComment{Revision: 4,
			Body: "Предлагаю приложить к документу **перечень организаций** — участников конференции."})
		if err != nil {
			return err
		}
		_, err = svc.Comments.Add(ctx, chair, Slug, drafting.NewComment{ReplyTo: c.ID,
			Body: "Согласна, перечень будет приложением к окончательной редакции."})
		return err
	})
	// The conference adopts revision 4 as a basis.
	s.do("approve and adopt", func() error {
		r, err := svc.Documents.Revision(ctx, chair, Slug, 4)
		if err != nil {
			return err
		}
		if _, err := svc.Adoptions.Approve(ctx, chair, Slug, 4, r.SHA256, "Текст, вынесенный на пленарное заседание"); err != nil {
			return err
		}
		in := drafting.AdoptInput{Stage: drafting.StageBasis, Note: "Принят за основу участниками конференции 30 ноября 2011 года"}
		if _, err := svc.Adoptions.Adopt(ctx, chair, Slug, 4, in); err != nil {
			if drafting.ErrorReason(err) != drafting.ReasonOpenThreads {
				return err
			}
			// Open threads may hold an adoption back; the conference
			// adopted the text as a basis with them open.
			in.OverrideReason = "Замечания будут рассмотрены при доработке документа рабочей группой"
			_, err = svc.Adoptions.Adopt(ctx, chair, Slug, 4, in)
			return err
		}
		return nil
	})
	// Two open proposals: Петров's, written against revision 2, changes the
	// road map's deadline that revision 3 rewrote (it collides with the newer
	// draft); Иванова's, against revision 4, applies cleanly.
	s.do("proposal 2", func() error {
		_, err := svc.Proposals.Propose(ctx, petrov, Slug, drafting.NewProposal{Base: 2, Text: []byte(strings.Replace(Revision2,
			"до 1 марта 2012 года", "до 1 февраля 2012 года", 1)), Title: "Сократить срок подготовки дорожной карты",
			Rationale: "Дорожная карта нужна до формирования бюджета на 2012 год."})
		return err
	})
	s.do("proposal 3", func() error {
		_, err := svc.Proposals.Propose(ctx, ivanova, Slug, drafting.NewProposal{Base: 4, Text: []byte(strings.Replace(Revision4,
			"энергоэффективность и новые материалы, креативные индустрии.",
			"энергоэффективность и новые материалы, транспорт и логистику, креативные индустрии.", 1)),
			Title: "Дополнить перечень приоритетных направлений", Rationale: "Транспортный кластер обсуждался на второй секции конференции."})
		return err
	})
	return accounts, s.err
}

// seeder runs steps until the first failure.
type seeder struct {
	ctx context.Context
	svc *drafting.Service
	err error
}

func (s *seeder) do(what string, fn func() error) {
	if s.err != nil {
		return
	}
	if err := fn(); err != nil {
		s.err = fmt.Errorf("demo: %s: %w", what, err)
	}
}

// comment anchors body to the first occurrence of quote in revision n.
func (s *seeder) comment(u *drafting.User, n int64, quote, body string) {
	s.do("comment", func() error {
		_, text, err := s.svc.Documents.Text(s.ctx, u, Slug, n)
		if err != nil {
			return err
		}
		a, ok := AnchorOf(string(text), quote)
		if !ok {
			return fmt.Errorf("quote %q is not in revision %d", quote, n)
		}
		_, err = s.svc.Comments.Add(s.ctx, u, Slug, drafting.NewComment{Revision: n, Body: body, Anchor: &a})
		return err
	})
}

// AnchorOf is the anchor of the first occurrence of quote in text, with up to
// 32 code points of context on each side.
func AnchorOf(text, quote string) (drafting.Anchor, bool) {
	i := strings.Index(text, quote)
	if i < 0 {
		return drafting.Anchor{}, false
	}
	before, q, after := []rune(text[:i]), []rune(quote), []rune(text[i+len(quote):])
	a := drafting.Anchor{Start: len(before), End: len(before) + len(q), Quote: quote}
	a.Prefix = string(before[max(0, len(before)-32):])
	a.Suffix = string(after[:min(32, len(after))])
	return a, true
}

// Password returns a random password of 16 letters and digits that are hard
// to confuse when read off a terminal.
func Password() (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", err
		}
		b[i] = alphabet[n.Int64()]
	}
	return string(b), nil
}
