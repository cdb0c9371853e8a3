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
