package demo

// issue 14: the demo conference's table of amendments.

import (
	"context"
	"strings"

	"redline/internal/drafting"
)

// SeedAmendments adds the amendments to the text adopted as a basis
// (revision 4) and the chair's decisions on them, with the hall's votes:
// Петров's amendment of item 16 accepted (41–3–2), Иванова's of item 9
// accepted with the chair's changes, Петров's deletion of item 12 rejected
// with a reason (5–37–4); Иванова's proposal 3 on item 6 stays open. Run it
// once after Seed; redline serve --demo does.
func SeedAmendments(ctx context.Context, svc *drafting.Service) error {
	by := func(login string) (*drafting.User, error) {
		u, err := svc.UserByLogin(ctx, login)
		return &u, err
	}
	s := seeder{ctx: ctx, svc: svc}
	chair, err := by("chair")
	if err != nil {
		return err
	}
	ivanova, err := by("ivanova")
	if err != nil {
		return err
	}
	petrov, err := by("petrov")
	if err != nil {
		return err
	}
	propose := func(u *drafting.User, title, why string, ch drafting.ItemChange) (p drafting.Proposal) {
		s.do("amendment "+title, func() error {
			var err error
			p, err = svc.Proposals.Propose(ctx, u, Slug, drafting.NewProposal{Base: 4, Title: title, Rationale: why,
				Changes: []drafting.ItemChange{ch}})
			return err
		})
		return p
	}
	p16 := propose(petrov, "Кадры: дополнить колледжами", "Рабочие специальности для кластеров готовят колледжи.",
		drafting.ItemChange{Op: drafting.ChangeReplace, Item: "16",
			Text: "Рекомендуется развивать кадровое обеспечение кластеров через программы подготовки и переподготовки специалистов совместно с вузами и колледжами."})
	p9 := propose(ivanova, "Налоговые льготы для пилотного кластера", "Без налоговых льгот субсидии не дадут эффекта.",
		drafting.ItemChange{Op: drafting.ChangeReplace, Item: "9",
			Text: "Для пилотного кластера предлагается предусмотреть субсидирование совместных проектов, льготную аренду помещений в технопарках, налоговые льготы и упрощённый доступ к оборудованию центров коллективного пользования."})
	p12 := propose(petrov, "Исключить пункт о мониторинге", "Мониторинг дублирует отчётность Центра кластерного развития.",
		drafting.ItemChange{Op: drafting.ChangeDelete, Item: "12"})
	if s.err != nil {
		return s.err
	}
	s.do("accept amendment of item 16", func() error {
		_, err := svc.Proposals.Merge(ctx, chair, Slug, p16.Number, drafting.MergeInput{Head: 4,
			Vote: &drafting.Vote{For: 41, Against: 3, Abstained: 2}})
		return err
	})
	s.do("accept amendment of item 9 with changes", func() error {
		e, err := svc.Proposals.Effect(ctx, chair, Slug, p9.Number, "")
		if err != nil {
			return err
		}
		text := strings.Replace(e.Merged, "налоговые льготы", "льготы по налогу на имущество в пределах полномочий города", 1)
		_, err = svc.Proposals.Merge(ctx, chair, Slug, p9.Number, drafting.MergeInput{Head: e.Head.Number, Text: []byte(text),
			Message: "Поправка № " + itoa(p9.Number) + " принята с изменениями: льготы в пределах полномочий города",
			Vote:    &drafting.Vote{For: 38, Against: 5, Abstained: 3}})
		return err
	})
	s.do("reject amendment of item 12", func() error {
		_, _, err := svc.Proposals.Decide(ctx, chair, Slug, p12.Number, drafting.DecideInput{Decision: drafting.DecisionRejected,
			Reason: "Мониторинг нужен для оценки результатов дорожной карты; отчётность Центра его не заменяет.",
			Vote:   &drafting.Vote{For: 5, Against: 37, Abstained: 4}})
		return err
	})
	return s.err
}

func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
