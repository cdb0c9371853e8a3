package office

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// xmlReader reads the tokens of one XML part as hostile input: a document
// type declaration (the carrier of entity expansion) is refused before any
// entity could be used, element depth is bounded, and syntax errors become a
// malformed_document *Error naming the part.
type xmlReader struct {
	d       *xml.Decoder
	part    string
	depth   int
	max     int
	maxText int // text() keeps at most this many bytes: past it the import is refused anyway
}

func newXMLReader(r io.Reader, part string, lim Limits) *xmlReader {
	d := xml.NewDecoder(r)
	// encoding/xml never expands entities it was not told about; Strict
	// makes an unknown one an error rather than text.
	d.Strict = true
	return &xmlReader{d: d, part: part, max: lim.MaxDepth, maxText: lim.MaxTextBytes + 1}
}

// next returns the next token: xml.StartElement, xml.EndElement or
// xml.CharData (comments, processing instructions are skipped). At the end
// of the part it returns io.EOF.
func (x *xmlReader) next() (xml.Token, error) {
	for {
		tok, err := x.d.Token()
		if err != nil {
			if err == io.EOF {
				if x.depth != 0 {
					return nil, x.malformed(io.ErrUnexpectedEOF)
				}
				return nil, io.EOF
			}
			var oe *Error
			if errors.As(err, &oe) {
				return nil, err
			}
			return nil, x.malformed(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			x.depth++
			if x.depth > x.max {
				return nil, &Error{Reason: ReasonTooDeep,
					Message:   "the document's XML is nested too deeply",
					MessageRU: "XML документа вложен слишком глубоко",
					Details:   map[string]any{"part": x.part, "max_depth": x.max}}
			}
			return t, nil
		case xml.EndElement:
			x.depth--
			return t, nil
		case xml.CharData:
			return t, nil
		case xml.Directive:
			if d := bytes.TrimSpace(t); hasPrefixFold(d, "DOCTYPE") || hasPrefixFold(d, "ENTITY") {
				return nil, &Error{Reason: ReasonEntityExpansion,
					Message:   "the document declares XML entities (a document type declaration); Word and LibreOffice never write one",
					MessageRU: "документ объявляет XML-сущности (DOCTYPE); Word и LibreOffice такого не пишут",
					Details:   map[string]any{"part": x.part}}
			}
		}
	}
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && strings.EqualFold(string(b[:len(prefix)]), prefix)
}

func (x *xmlReader) malformed(err error) *Error {
	return refusef(ReasonMalformed, err, "the part %s is not well-formed XML", "часть %s — некорректный XML", x.part)
}

// skip consumes tokens up to and including the end of the element whose
// start was just returned.
func (x *xmlReader) skip() error {
	depth := 1
	for depth > 0 {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// text returns the character data up to the end of the element whose start
// was just returned, skipping nested elements' markup but keeping their text.
func (x *xmlReader) text() (string, error) {
	var b strings.Builder
	depth := 1
	for depth > 0 {
		tok, err := x.next()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if b.Len() < x.maxText {
				b.Write(t)
			}
		}
	}
	return b.String(), nil
}

// attr returns the value of the attribute local name in namespace space
// ("" matches any namespace).
func attr(e xml.StartElement, space, local string) (string, bool) {
	for _, a := range e.Attr {
		if a.Name.Local == local && (space == "" || a.Name.Space == space) {
			return a.Value, true
		}
	}
	return "", false
}
