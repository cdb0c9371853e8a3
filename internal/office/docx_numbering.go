package office

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"
)

// wstyle is what Redline needs of a Word style: its parent and numbering.
type wstyle struct {
	basedOn string
	numID   string
	ilvl    int
	hasNum  bool
	hasLvl  bool
}

// readStyles reads paragraph and numbering styles from styles.xml.
func (d *docxReader) readStyles(name string) error {
	rc, err := d.a.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	x := newXMLReader(rc, name, d.a.lim)
	for {
		tok, err := x.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		e, ok := tok.(xml.StartElement)
		if !ok || !isW(e.Name) || e.Name.Local != "style" {
			continue
		}
		id, _ := wattr(e, "styleId")
		st := &wstyle{}
		if err := readStyle(x, st); err != nil {
			return err
		}
		if len(d.styles) < 10000 {
			d.styles[id] = st
		}
	}
}

func readStyle(x *xmlReader, st *wstyle) error {
	for {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			switch {
			case isW(t.Name) && t.Name.Local == "basedOn":
				st.basedOn = wval(t)
				if err := x.skip(); err != nil {
					return err
				}
			case isW(t.Name) && t.Name.Local == "pPr":
				if err := readStylePPr(x, st); err != nil {
					return err
				}
			default:
				if err := x.skip(); err != nil {
					return err
				}
			}
		}
	}
}

func readStylePPr(x *xmlReader, st *wstyle) error {
	for {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if isW(t.Name) && t.Name.Local == "numPr" {
				if err := readNumPr(x, &st.numID, &st.ilvl, &st.hasNum, &st.hasLvl); err != nil {
					return err
				}
				continue
			}
			if err := x.skip(); err != nil {
				return err
			}
		}
	}
}

// resolveNum finds the numbering of a paragraph: its own numPr, or its
// style's, following basedOn. It returns the num id ("" or "0" for none) and
// level.
func (d *docxReader) resolveNum(p wpara) (string, int) {
	numID, ilvl, hasNum, hasLvl := p.numID, p.ilvl, p.hasNum, p.hasLvl
	style := p.style
	if style == "" {
		style = d.defaultStyle()
	}
	fromStyle := ""
	for i := 0; style != "" && i < 32 && (!hasNum || !hasLvl); i++ {
		st := d.styles[style]
		if st == nil {
			break
		}
		if !hasNum && st.hasNum {
			numID, hasNum, fromStyle = st.numID, true, style
		}
		if !hasLvl && st.hasLvl {
			ilvl, hasLvl = st.ilvl, true
		}
		style = st.basedOn
	}
	if !hasNum || numID == "" || numID == "0" {
		return "", 0
	}
	if !hasLvl {
		// A style's numbering without a level uses the level linked to the
		// style (w:pStyle in the level), else the first.
		if l, ok := d.num.levelOfStyle(numID, firstNonEmpty(p.style, fromStyle)); ok {
			ilvl = l
		}
	}
	return numID, ilvl
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func (d *docxReader) defaultStyle() string {
	if _, ok := d.styles["Normal"]; ok {
		return "Normal"
	}
	return ""
}

// wlevel is one level of a Word list.
type wlevel struct {
	start   int
	style   numStyle
	text    string // w:lvlText: "%1.%2."
	legal   bool   // w:isLgl: every level decimal
	restart int    // w:lvlRestart: -1 after any higher level, 0 never, n after level n (1-based)
	pStyle  string
}

type wabstract struct {
	levels  [9]*wlevel
	numLink string // w:numStyleLink: the levels are those of the numbering style's list
}

type woverride struct {
	start    int
	hasStart bool
	level    *wlevel
}

type wnum struct {
	abstract  string
	overrides map[int]*woverride
}

// wnumbering is numbering.xml and the counters of the lists it defines, as
// Word keeps them while laying the document out.
type wnumbering struct {
	abstracts map[string]*wabstract
	nums      map[string]*wnum
	counters  map[string]*[9]int
	started   map[string]bool // nums whose start overrides were applied
	// styleNums maps numbering styles to their num ids, for numStyleLink.
	styleNums map[string]string
}

func newWNumbering() *wnumbering {
	return &wnumbering{abstracts: map[string]*wabstract{}, nums: map[string]*wnum{}, counters: map[string]*[9]int{}, started: map[string]bool{}, styleNums: map[string]string{}}
}

// readNumbering reads numbering.xml.
func (d *docxReader) readNumbering(name string) error {
	rc, err := d.a.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	x := newXMLReader(rc, name, d.a.lim)
	n := d.num
	for id, st := range d.styles {
		if st.hasNum {
			n.styleNums[id] = st.numID
		}
	}
	for {
		tok, err := x.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		e, ok := tok.(xml.StartElement)
		if !ok || !isW(e.Name) {
			continue
		}
		switch e.Name.Local {
		case "abstractNum":
			id, _ := wattr(e, "abstractNumId")
			abs := &wabstract{}
			if err := readAbstract(x, abs); err != nil {
				return err
			}
			if len(n.abstracts) < 10000 {
				n.abstracts[id] = abs
			}
		case "num":
			id, _ := wattr(e, "numId")
			num := &wnum{overrides: map[int]*woverride{}}
			if err := readNum(x, num); err != nil {
				return err
			}
			if len(n.nums) < 10000 {
				n.nums[id] = num
			}
		}
	}
}

func readAbstract(x *xmlReader, abs *wabstract) error {
	for {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if !isW(t.Name) {
				if err := x.skip(); err != nil {
					return err
				}
				continue
			}
			switch t.Name.Local {
			case "lvl":
				v, _ := wattr(t, "ilvl")
				i, err := strconv.Atoi(v)
				l, rerr := readLevel(x)
				if rerr != nil {
					return rerr
				}
				if err == nil && i >= 0 && i < 9 {
					abs.levels[i] = l
				}
				continue
			case "numStyleLink":
				abs.numLink = wval(t)
			}
			if err := x.skip(); err != nil {
				return err
			}
		}
	}
}

func readLevel(x *xmlReader) (*wlevel, error) {
	// Whatever the list puts after its label (tab, space or nothing, w:suff),
	// the label is written with one space after it: that is what Redline
	// recognises as a paragraph's number, and LibreOffice writes "nothing"
	// where its own layout leaves a gap.
	l := &wlevel{start: 1, restart: -1}
	for {
		tok, err := x.next()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return l, nil
		case xml.StartElement:
			if isW(t.Name) {
				switch t.Name.Local {
				case "start":
					if n, err := strconv.Atoi(wval(t)); err == nil && n >= 0 && n < 1<<20 {
						l.start = n
					}
				case "numFmt":
					l.style = wordNumStyle(wval(t))
				case "lvlText":
					l.text = wval(t)
					if len(l.text) > 256 {
						l.text = l.text[:256]
					}
				case "isLgl":
					l.legal = onOff(t)
				case "lvlRestart":
					if n, err := strconv.Atoi(wval(t)); err == nil && n >= 0 && n <= 9 {
						l.restart = n
					}
				case "pStyle":
					l.pStyle = wval(t)
				case "lvlPicBulletId":
					l.style = numBullet
					l.text = "•"
				}
			}
			if err := x.skip(); err != nil {
				return nil, err
			}
		}
	}
}

func readNum(x *xmlReader, num *wnum) error {
	for {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if isW(t.Name) && t.Name.Local == "abstractNumId" {
				num.abstract = wval(t)
			}
			if isW(t.Name) && t.Name.Local == "lvlOverride" {
				v, _ := wattr(t, "ilvl")
				i, err := strconv.Atoi(v)
				o := &woverride{}
				if err := readOverride(x, o); err != nil {
					return err
				}
				if err == nil && i >= 0 && i < 9 {
					num.overrides[i] = o
				}
				continue
			}
			if err := x.skip(); err != nil {
				return err
			}
		}
	}
}

func readOverride(x *xmlReader, o *woverride) error {
	for {
		tok, err := x.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if isW(t.Name) && t.Name.Local == "startOverride" {
				if n, err := strconv.Atoi(wval(t)); err == nil && n >= 0 && n < 1<<20 {
					o.start, o.hasStart = n, true
				}
			}
			if isW(t.Name) && t.Name.Local == "lvl" {
				l, err := readLevel(x)
				if err != nil {
					return err
				}
				o.level = l
				continue
			}
			if err := x.skip(); err != nil {
				return err
			}
		}
	}
}

// abstractOf returns the abstract numbering of num id, following
// numStyleLink, and the key its counters are kept under.
func (n *wnumbering) abstractOf(numID string) (*wabstract, *wnum, string) {
	num := n.nums[numID]
	if num == nil {
		return nil, nil, ""
	}
	absID := num.abstract
	abs := n.abstracts[absID]
	for i := 0; abs != nil && abs.numLink != "" && i < 8; i++ {
		linked := n.nums[n.styleNums[abs.numLink]]
		if linked == nil || n.abstracts[linked.abstract] == nil || linked.abstract == absID {
			break
		}
		absID = linked.abstract
		abs = n.abstracts[absID]
	}
	if abs == nil {
		return nil, nil, ""
	}
	// Word counts on across every num of one abstract list; a num that
	// overrides a start value restarts the count where it is first used
	// (Word's "restart numbering" writes exactly that), and paragraphs of
	// the other nums count on from there.
	return abs, num, "a" + absID
}

func (n *wnumbering) level(abs *wabstract, num *wnum, i int) *wlevel {
	if o := num.overrides[i]; o != nil && o.level != nil {
		return o.level
	}
	if l := abs.levels[i]; l != nil {
		return l
	}
	return &wlevel{start: 1, restart: -1, style: numNone}
}

// levelOfStyle returns the level of num id linked to paragraph style style.
func (n *wnumbering) levelOfStyle(numID, style string) (int, bool) {
	abs, num, _ := n.abstractOf(numID)
	if abs == nil || style == "" {
		return 0, false
	}
	for i := range 9 {
		if n.level(abs, num, i).pStyle == style {
			return i, true
		}
	}
	return 0, false
}

// label advances the counters for a paragraph at level ilvl of num id and
// returns the label the reader sees, with the space after it; "" when the
// paragraph is not numbered. bullet is true for a bullet rather than a number.
func (n *wnumbering) label(numID string, ilvl int) (label string, bullet bool) {
	if numID == "" {
		return "", false
	}
	abs, num, key := n.abstractOf(numID)
	if abs == nil {
		return "", false
	}
	c := n.counters[key]
	if c == nil {
		c = new([9]int)
		for i := range 9 {
			c[i] = n.level(abs, num, i).start - 1
		}
		n.counters[key] = c
	}
	if !n.started[numID] {
		n.started[numID] = true
		for i, o := range num.overrides {
			if o.hasStart {
				c[i] = o.start - 1
			}
		}
	}
	lvl := n.level(abs, num, ilvl)
	c[ilvl]++
	for i := ilvl + 1; i < 9; i++ {
		l := n.level(abs, num, i)
		if l.restart == 0 || (l.restart > 0 && ilvl >= l.restart) {
			continue
		}
		c[i] = l.start - 1
	}
	if lvl.style == numBullet {
		return bulletText(lvl.text) + " ", true
	}
	var b strings.Builder
	t := lvl.text
	for i := 0; i < len(t); i++ {
		if t[i] == '%' && i+1 < len(t) && t[i+1] >= '1' && t[i+1] <= '9' {
			k := int(t[i+1] - '1')
			l := n.level(abs, num, k)
			v := c[k]
			if v < l.start {
				v = l.start
			}
			st := l.style
			if lvl.legal && st != numNone {
				st = numDecimal
			}
			b.WriteString(formatNum(v, st))
			i++
			continue
		}
		b.WriteByte(t[i])
	}
	s := b.String()
	if strings.TrimSpace(s) == "" {
		return "", false
	}
	return s + " ", false
}
