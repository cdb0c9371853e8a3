package textdiff

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// runeCount counts the code points of s, eight bytes at a time: a code point
// starts at every byte that is not a UTF-8 continuation byte (10xxxxxx). For
// valid UTF-8 it equals utf8.RuneCountInString, in a fraction of its time.
func runeCount(s string) int {
	const hi, lo = 0x8080808080808080, 0x4040404040404040
	cont := 0
	i := 0
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:]) // one load
		// A byte is a continuation byte when bit 7 is set and bit 6 is not.
		c := w & hi &^ (w << 1 & hi)
		cont += popcount(c)
	}
	for ; i < len(s); i++ {
		if s[i]&0xC0 == 0x80 {
			cont++
		}
	}
	return len(s) - cont
}

func popcount(x uint64) int { return bits.OnesCount64(x) }

// countBlankLineBreaks counts the places in s where a line break follows a
// line break ("\n\n", overlapping), eight bytes at a time: about the number
// of paragraphs, for sizing a slice of them.
func countBlankLineBreaks(s string) int {
	const ones, highs, lows = 0x0101010101010101, 0x8080808080808080, 0x7F7F7F7F7F7F7F7F
	n := 0
	prev := uint64(0) // bit 63: the last byte seen was a line break
	i := 0
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		x := w ^ ('\n' * ones)
		// Bit 7 of each byte set where the byte is a line break (exact).
		nl := ^((x&lows + lows) | x) & highs
		// A break whose previous byte (in this word or the last one) is a
		// break too.
		n += popcount(nl & (nl<<8 | prev>>56))
		prev = nl
	}
	for ; i < len(s); i++ {
		if s[i] == '\n' {
			if prev>>63 == 1 {
				n++
			}
			prev = 1 << 63
		} else {
			prev = 0
		}
	}
	return n
}
