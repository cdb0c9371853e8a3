package notify

import (
	"fmt"
	"strings"
)

// Topics is a set of things a person may choose to hear about, per
// document.
type Topics uint8

// The topics.
const (
	Decisions Topics = 1 << iota // decisions on the person's own amendments
	Replies                      // replies in threads the person took part in
	Revisions                    // new revisions (commits and merges)
	Adoptions                    // the document adopted as a basis or as final

	// AllTopics is every topic.
	AllTopics = Decisions | Replies | Revisions | Adoptions
	// DefaultTopics are what a member hears about until they choose:
	// what concerns them personally, and adoptions; not every revision.
	DefaultTopics = Decisions | Replies | Adoptions
)

var topicNames = []struct {
	t    Topics
	name string
}{{Decisions, "decisions"}, {Replies, "replies"}, {Revisions, "revisions"}, {Adoptions, "adoptions"}}

// String returns the topics' names joined by commas ("" for none).
func (t Topics) String() string {
	var names []string
	for _, n := range topicNames {
		if t&n.t != 0 {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, ",")
}

// Each returns the single topics in t, in a fixed order.
func (t Topics) Each() []Topics {
	var out []Topics
	for _, n := range topicNames {
		if t&n.t != 0 {
			out = append(out, n.t)
		}
	}
	return out
}

// ParseTopics parses a comma-separated list of topic names ("" is none,
// "all" is every topic).
func ParseTopics(s string) (Topics, error) {
	var t Topics
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if part == "all" {
			t |= AllTopics
			continue
		}
		found := false
		for _, n := range topicNames {
			if n.name == part {
				t |= n.t
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("unknown topic %q (decisions, replies, revisions, adoptions or all)", part)
		}
	}
	return t, nil
}

// Lang returns the language a person reads mail in: "ru" or "en"; Russian
// for anything else.
func Lang(tag string) string {
	if strings.HasPrefix(strings.ToLower(tag), "en") {
		return "en"
	}
	return "ru"
}
