package notify

import (
	"fmt"
	"time"

	"redline/internal/live"
)

// words are the sentences of mails and feeds in one language. Each takes
// its values through fmt verbs, in the order the comments give; a test
// checks that both languages have every key with the same verbs.
var words = map[string]map[string]string{
	"ru": {
		"subject":         "[%s] %s",           // document title, what happened
		"subject.many":    "%d %s",             // count, plural of "event"
		"event.one":       "новое событие",     // 1, 21 …
		"event.few":       "новых события",     // 2–4, 22 …
		"event.many":      "новых событий",     // 5–20, 25 …
		"greeting":        "Здравствуйте, %s!", // name
		"intro":           "В документе «%s»:", // title
		"accepted":        "Ваша поправка №%d принята.",
		"accepted_with":   "Ваша поправка №%d принята с изменениями.",
		"rejected":        "Ваша поправка №%d отклонена.",
		"withdrawn":       "Ваша поправка №%d снята с рассмотрения.",
		"merged_into":     "Текст вошёл в редакцию %d.",
		"reason":          "Причина: %s",
		"votes":           "Голосование: за — %d, против — %d, воздержались — %d.",
		"reply":           "Ответ от %s в обсуждении, в котором вы участвуете.",
		"revision":        "Новая редакция %d (%s).", // number, who
		"revision.merged": "Новая редакция %d: принята поправка №%d.",
		"adopted.basis":   "Редакция %d принята за основу.",
		"adopted.final":   "Редакция %d принята в целом.",
		"open":            "Открыть",
		"more":            "И ещё %d — в журнале документа", // count
		"why":             "Вы получили это письмо, потому что следите за документом «%s» в Redline.",
		"settings":        "Настроить уведомления",
		"stop":            "Больше не присылать",
		"topic.decisions": "решения по моим поправкам",
		"topic.replies":   "ответы в моих обсуждениях",
		"topic.revisions": "новые редакции",
		"topic.adoptions": "принятие документа",
		"topic.all":       "ничего по этому документу",
		"date":            "02.01.2006 15:04 MST",
		"feed.title":      "Redline: уведомления для %s", // name
		"feed.subtitle":   "События в документах, за которыми вы следите",
		"unsub.title":     "Отписка от уведомлений",
		"unsub.confirm":   "Больше не присылать письма по документу «%s»: %s?", // title, topics
		"unsub.button":    "Отписаться",
		"unsub.done":      "Готово: письма по документу «%s» (%s) больше не придут.",
		"unsub.bad":       "Ссылка недействительна или повреждена. Настроить уведомления можно на странице документа.",
		"unsub.gone":      "Документ не найден.",
		"unsub.error":     "Не получилось отписаться: сервис временно недоступен. Попробуйте ещё раз позже.",
	},
	"en": {
		"subject":         "[%s] %s",
		"subject.many":    "%d %s",
		"event.one":       "update",
		"event.few":       "updates",
		"event.many":      "updates",
		"greeting":        "Hello %s,",
		"intro":           "In “%s”:",
		"accepted":        "Your amendment #%d was accepted.",
		"accepted_with":   "Your amendment #%d was accepted with changes.",
		"rejected":        "Your amendment #%d was rejected.",
		"withdrawn":       "Your amendment #%d was withdrawn.",
		"merged_into":     "It is in revision %d.",
		"reason":          "Reason: %s",
		"votes":           "Vote: %d for, %d against, %d abstained.",
		"reply":           "%s replied in a thread you took part in.",
		"revision":        "New revision %d (%s).",
		"revision.merged": "New revision %d: amendment #%d accepted.",
		"adopted.basis":   "Revision %d was adopted as a basis.",
		"adopted.final":   "Revision %d was adopted as final.",
		"open":            "Open",
		"more":            "And %d more in the document's log",
		"why":             "You receive this because you follow “%s” in Redline.",
		"settings":        "Notification settings",
		"stop":            "Stop mail about",
		"topic.decisions": "decisions on my amendments",
		"topic.replies":   "replies in my threads",
		"topic.revisions": "new revisions",
		"topic.adoptions": "adoptions",
		"topic.all":       "anything in this document",
		"date":            "2 Jan 2006 15:04 MST",
		"feed.title":      "Redline: notifications for %s",
		"feed.subtitle":   "What happened in the documents you follow",
		"unsub.title":     "Unsubscribe",
		"unsub.confirm":   "Stop mail about “%s”: %s?",
		"unsub.button":    "Unsubscribe",
		"unsub.done":      "Done: no more mail about “%s” (%s).",
		"unsub.bad":       "This link is invalid or damaged. You can choose your notifications on the document's page.",
		"unsub.gone":      "The document no longer exists.",
		"unsub.error":     "Could not unsubscribe: the service is unavailable for a moment. Please try again later.",
	},
}

// tr formats the sentence key in lang.
func tr(lang, key string, a ...any) string {
	f, ok := words[Lang(lang)][key]
	if !ok {
		return key
	}
	if len(a) == 0 {
		return f
	}
	return fmt.Sprintf(f, a...)
}

// plural picks the form of a count: Russian has three (1 событие,
// 2 события, 5 событий), English two.
func plural(lang string, n int64, key string) string {
	if Lang(lang) == "en" {
		if n == 1 {
			return tr(lang, key+".one")
		}
		return tr(lang, key+".many")
	}
	n10, n100 := n%10, n%100
	switch {
	case n10 == 1 && n100 != 11:
		return tr(lang, key+".one")
	case n10 >= 2 && n10 <= 4 && (n100 < 12 || n100 > 14):
		return tr(lang, key+".few")
	}
	return tr(lang, key+".many")
}

// topicName names a single topic, or "all" for AllTopics.
func topicName(lang string, t Topics) string {
	if t == AllTopics {
		return tr(lang, "topic.all")
	}
	return tr(lang, "topic."+t.String())
}

// topicList names the topics in t.
func topicList(lang string, t Topics) string {
	if t == AllTopics {
		return tr(lang, "topic.all")
	}
	s := ""
	for i, one := range t.Each() {
		if i > 0 {
			s += ", "
		}
		s += topicName(lang, one)
	}
	return s
}

// describe says what an item's event means to its reader, in one or a few
// sentences.
func describe(lang string, it Item) string {
	ev := it.Event
	p := ev.Data
	actor := p.Actor
	if actor == "" {
		actor = "—"
	}
	switch ev.Kind {
	case live.ProposalDecided:
		if it.Topic == Revisions && p.Revision > 0 {
			return tr(lang, "revision.merged", p.Revision, p.Proposal)
		}
		key := map[string]string{"accepted": "accepted", "accepted_with_changes": "accepted_with",
			"rejected": "rejected", "withdrawn": "withdrawn"}[p.Decision]
		if key == "" {
			key = "accepted"
		}
		s := tr(lang, key, p.Proposal)
		if p.Revision > 0 {
			s += " " + tr(lang, "merged_into", p.Revision)
		}
		if p.Reason != "" {
			s += " " + tr(lang, "reason", p.Reason)
		}
		if v := p.Votes; v != nil {
			s += " " + tr(lang, "votes", v.For, v.Against, v.Abstained)
		}
		return s
	case live.CommentAdded:
		return tr(lang, "reply", actor)
	case live.RevisionCommitted:
		return tr(lang, "revision", p.Revision, actor)
	case live.Adopted:
		s := tr(lang, "adopted."+map[bool]string{true: "final", false: "basis"}[p.Stage == "final"], p.Revision)
		if v := p.Votes; v != nil {
			s += " " + tr(lang, "votes", v.For, v.Against, v.Abstained)
		}
		return s
	}
	return string(ev.Kind)
}

// when formats an event's time in lang, in loc.
func when(lang string, t time.Time, loc *time.Location) string {
	return t.In(loc).Format(tr(lang, "date"))
}
