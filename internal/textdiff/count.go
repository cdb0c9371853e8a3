package textdiff

// runeCount counts the code points of s, eight bytes at a time: a code point
// starts at every byte that is not a UTF-8 continuation byte (10xxxxxx). For
// valid UTF-8 it equals utf8.RuneCountInString, in a fraction of its time.
func runeCount(s string) int {
	const hi, lo = 0x8080808080808080, 0x4040404040404040
	cont := 0
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
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

func popcount(x uint64) int {
	// Only bit 7 of each byte can be set here.
	x >>= 7
	return int((x * 0x0101010101010101) >> 56)
}

// countBlankLineBreaks counts the places in s where a line break follows a
// line break ("\n\n", overlapping), eight bytes at a time: about the number
// of paragraphs, for sizing a slice of them.
func countBlankLineBreaks(s string) int {
	const ones, highs, lows = 0x0101010101010101, 0x8080808080808080, 0x7F7F7F7F7F7F7F7F
	n := 0
	prev := uint64(0) // bit 63: the last byte seen was a line break
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		x := w ^ ('\n' * ones)
		// Bit 7 of each byte set where the byte is a line break (exact).
		nl := ^((x&lows + lows) | x) & highs
		// A break whose next byte is a break too, and across the words.
		n += popcount(nl&(nl>>8)) + popcount(prev>>63<<7&nl)
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
