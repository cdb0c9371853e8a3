package office

import (
	"strconv"
	"strings"
	"unicode"
)

// numStyle is how one list level writes its counter.
type numStyle int

const (
	numDecimal numStyle = iota
	numDecimalZero
	numUpperRoman
	numLowerRoman
	numUpperLatin // A … Z, then AA, BB (letters repeated, as Word does)
	numLowerLatin
	numUpperLatinAlpha // A … Z, then AA, AB (alphabetical, ODF without letter sync)
	numLowerLatinAlpha
	numUpperCyrillic // А … Я, then Аа, Аб (LibreOffice's Russian numbering)
	numLowerCyrillic
	numUpperCyrillicSync // А … Я, then АА, ББ
	numLowerCyrillicSync
	numBullet
	numNone
)

// cyrillicLower is the Russian alphabet as lists count with it, in Word and
// LibreOffice alike: without ё, й, ъ and ь, which never label list items.
var cyrillicLower = []rune("абвгдежзиклмнопрстуфхцчшщыэюя")

// wordNumStyle maps a WordprocessingML w:numFmt value.
func wordNumStyle(v string) numStyle {
	switch v {
	case "decimalZero":
		return numDecimalZero
	case "upperRoman":
		return numUpperRoman
	case "lowerRoman":
		return numLowerRoman
	case "upperLetter":
		return numUpperLatin
	case "lowerLetter":
		return numLowerLatin
	case "russianUpper":
		return numUpperCyrillic
	case "russianLower":
		return numLowerCyrillic
	case "bullet":
		return numBullet
	case "none":
		return numNone
	}
	// decimal and the many decimal-based or script-specific formats Redline
	// does not spell out (ordinal, cardinalText, decimalEnclosedCircle, …)
	// are written as plain decimal numbers.
	return numDecimal
}

// odfNumStyle maps an ODF style:num-format value, with style:num-letter-sync.
func odfNumStyle(v string, sync bool) numStyle {
	switch v {
	case "":
		return numNone
	case "1":
		return numDecimal
	case "I":
		return numUpperRoman
	case "i":
		return numLowerRoman
	case "A":
		if sync {
			return numUpperLatin
		}
		return numUpperLatinAlpha
	case "a":
		if sync {
			return numLowerLatin
		}
		return numLowerLatinAlpha
	}
	// LibreOffice's extensions: "а, б, .., аа, аб, ... (ru)" and
	// "а, б, .., аа, бб, ... (ru)", upper-case likewise.
	r := []rune(v)
	if len(r) > 0 && unicode.Is(unicode.Cyrillic, r[0]) {
		upper := unicode.IsUpper(r[0])
		sync = sync || strings.Contains(v, "бб") || strings.Contains(v, "ББ") || strings.Contains(v, "Бб")
		switch {
		case upper && sync:
			return numUpperCyrillicSync
		case upper:
			return numUpperCyrillic
		case sync:
			return numLowerCyrillicSync
		}
		return numLowerCyrillic
	}
	if strings.HasPrefix(v, "0") {
		return numDecimalZero
	}
	return numDecimal
}

// formatNum writes n in style s.
func formatNum(n int, s numStyle) string {
	switch s {
	case numNone, numBullet:
		return ""
	case numDecimalZero:
		if n >= 0 && n < 10 {
			return "0" + strconv.Itoa(n)
		}
	case numUpperRoman, numLowerRoman:
		if n > 0 && n < 4000 {
			r := toRoman(n)
			if s == numLowerRoman {
				r = strings.ToLower(r)
			}
			return r
		}
	case numUpperLatin, numLowerLatin:
		if n > 0 {
			return letters(n, []rune("abcdefghijklmnopqrstuvwxyz"), true, s == numUpperLatin, true)
		}
	case numUpperLatinAlpha, numLowerLatinAlpha:
		if n > 0 {
			return letters(n, []rune("abcdefghijklmnopqrstuvwxyz"), false, s == numUpperLatinAlpha, true)
		}
	case numUpperCyrillic, numLowerCyrillic:
		if n > 0 {
			return letters(n, cyrillicLower, false, s == numUpperCyrillic, false)
		}
	case numUpperCyrillicSync, numLowerCyrillicSync:
		if n > 0 {
			return letters(n, cyrillicLower, true, s == numUpperCyrillicSync, true)
		}
	}
	return strconv.Itoa(n)
}

// letters writes n (from 1) with an alphabet: repeated letters (a … z, aa,
// bb, …) when sync, otherwise bijective base-len (a … z, aa, ab, …). An upper
// case label capitalises every letter when allUpper, only the first otherwise
// (LibreOffice writes "Аа", "Аб" after "Я").
func letters(n int, alpha []rune, sync, upper, allUpper bool) string {
	k := len(alpha)
	var out []rune
	if sync {
		c := alpha[(n-1)%k]
		for range (n-1)/k + 1 {
			out = append(out, c)
		}
	} else {
		for n > 0 {
			n--
			out = append([]rune{alpha[n%k]}, out...)
			n /= k
		}
	}
	if upper {
		for i := range out {
			if i == 0 || allUpper {
				out[i] = unicode.ToUpper(out[i])
			}
		}
	}
	return string(out)
}

func toRoman(n int) string {
	vals := []int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := []string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, v := range vals {
		for n >= v {
			b.WriteString(syms[i])
			n -= v
		}
	}
	return b.String()
}

// bulletText turns a bullet character from a symbol font's private use area
// (Word's Symbol and Wingdings bullets) into the bullet a reader saw.
func bulletText(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 0xE000 && r <= 0xF8FF {
			switch r {
			case 0xF0A7, 0xF0FC, 0xF06E, 0xF0D8:
				b.WriteRune('▪')
			default:
				b.WriteRune('•')
			}
			continue
		}
		b.WriteRune(r)
	}
	if strings.TrimSpace(b.String()) == "" {
		return "•"
	}
	return b.String()
}
