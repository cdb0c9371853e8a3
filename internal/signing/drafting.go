package signing

import (
	"errors"
	"time"

	"redline/internal/drafting"
)

// Adopter signs drafting's adoption statements with a keyring: it is the
// drafting.Signer the service is wired with.
type Adopter struct{ Keys *Keyring }

var _ drafting.Signer = Adopter{}

// CanSignAt reports whether a key with its private half is valid at t.
func (a Adopter) CanSignAt(t time.Time) bool {
	_, err := a.Keys.SignerAt(t)
	return err == nil
}

// Sign makes the statement in says and signs it.
func (a Adopter) Sign(in drafting.StatementInput) (statement, signature []byte, key string, err error) {
	const op = "sign adoption statement"
	s := Statement{Document: in.Document, Title: in.Title, Language: in.Language, Adoption: in.Number,
		Revision: in.Revision, SHA256: in.SHA256, Size: in.Size, Stage: in.Stage, AdoptedAt: in.AdoptedAt,
		SignedAt: in.SignedAt, SignedLater: in.SignedLater, Previous: in.Previous}
	if in.Votes != nil {
		s.Votes = &Votes{For: in.Votes.For, Against: in.Votes.Against, Abstained: in.Votes.Abstained}
	}
	k, err := a.Keys.SignerAt(in.SignedAt)
	if err != nil {
		return nil, nil, "", drafting.Wrap(drafting.KindUnavailable, op, "no signing key is valid now", err)
	}
	statement, signature, err = a.Keys.Sign(s)
	if errors.Is(err, ErrMalformed) {
		return nil, nil, "", drafting.Wrap(drafting.KindInvalid, op, "", err)
	}
	if err != nil {
		return nil, nil, "", drafting.Wrap(drafting.KindInternal, op, "", err)
	}
	return statement, signature, k.Fingerprint, nil
}

// Published is every key of the keyring with the allowed_signers file.
func (a Adopter) Published() drafting.PublishedKeys {
	out := drafting.PublishedKeys{AllowedSigners: a.Keys.AllowedSigners(DefaultIdentity)}
	for _, k := range a.Keys.Keys {
		out.Keys = append(out.Keys, drafting.PublishedKey{Fingerprint: k.Fingerprint, PublicKey: k.AuthorizedKey(),
			ValidAfter: k.ValidAfter, ValidBefore: k.ValidBefore, Signs: k.CanSign()})
	}
	return out
}
