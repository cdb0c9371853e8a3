// Package live carries a document's state changes to open pages as
// Server-Sent Events.
//
// The audit log is the source of truth. Every event a page sees is a row of
// the log (its ID is the row's sequence number), translated by [Translate]
// into a small typed [Event] with a payload that names what changed (a
// revision, a proposal, a comment, an item) and never carries text, e-mail
// addresses or anything else a page must fetch through the ordinary,
// authorised API.
//
// A [Hub] holds one topic per document with listeners. A topic never takes
// events from whoever committed them: it is woken ([Hub.Notify], from the
// committing request on this instance or from a PostgreSQL NOTIFY sent by
// another one, or [Hub.PokeAll] on a periodic poll) and then reads the rows
// after the last one it delivered from its [Source]. A lost wake-up is
// therefore healed by the next one or by the poll, and instances never
// disagree about what happened, only about when they learnt it.
//
// Each subscriber has a bounded queue. A subscriber that falls behind by a
// full queue is dropped, never buffered without bound; its browser
// reconnects with Last-Event-ID and is replayed what it missed from the
// source, so a drop, a restart or a switch to another instance loses
// nothing and repeats nothing.
//
// Visibility: every event has an [Audience]. A member's stream carries
// member and public events; a public stream only public ones (adoptions,
// reopenings, the item under discussion when the chair has opened the hall
// to the audience); internal events (a role revoked) are never written and
// only end the streams they concern.
package live
