// Package notify tells people by e-mail, and in a personal Atom feed, about
// what happened in the documents they follow: decisions on their
// amendments, replies in their threads, new revisions, adoptions.
//
// The pipeline has three steps, each a transaction of the Store, so that
// a crash anywhere repeats a step rather than losing or doubling its
// result:
//
//  1. Plan reads the audit log after the Store's cursor, decides who is to
//     hear about each event (their choices for the document, whether it
//     concerns them, never their own acts), and stores one Item per person
//     and event while moving the cursor, in one transaction that fails if
//     another instance moved the cursor first.
//  2. Compose groups each person's pending items per document into one
//     digest once the oldest has waited Options.Window, renders it in the
//     person's language (plain text and HTML, one-click unsubscribe), and
//     stores the finished message in the outbox while marking its items, in
//     one transaction.
//  3. Send claims due messages with a lease, hands each to the SMTP server
//     and marks it sent.
//
// The guarantee: every item is mailed in exactly one message, and every
// message is handed to the SMTP server at least once; it is handed over
// twice only when the process dies, or its lease runs out, between the
// server's "250" to DATA and the commit of Sent. The second copy is then
// byte-for-byte the first, with the same Message-ID (derived from the
// outbox row's key), which mail stores and clients use to drop duplicates.
// SMTP offers no way to ask whether a message was received, so no sender
// can do better than this without a second channel.
package notify
