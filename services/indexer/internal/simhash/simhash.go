// Package simhash fingerprints article bodies so near-duplicates (a wire
// story republished with a word changed) can be found through an index:
// a 64-bit SimHash over word shingles, split into four 16-bit bands.
// Two fingerprints within Hamming distance 3 share at least one band
// (pigeonhole), so a store looks candidates up by band equality and checks
// the exact distance on the few rows it finds.
//
// It depends only on the standard library.
package simhash

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Shingle is the number of consecutive words hashed as one feature. Two
// words keep some word order while one changed word alters only two
// features: on synthetic 250-word bodies 3-word shingles left 25% of
// one-word edits beyond distance 3, 2-word shingles 11%; on 500-word bodies
// 7% and 2% (see TestNearDuplicatesAreNear). Recall grows with length.
const Shingle = 2

// MaxDistance is the largest Hamming distance at which two bodies are
// near-duplicates.
const MaxDistance = 3

// Bands is the number of 16-bit bands a fingerprint is split into. It must
// be MaxDistance+1 for the band lookup to find every near-duplicate.
const Bands = MaxDistance + 1

// Words returns the lowercased letter and digit runs of text.
func Words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// Of returns the SimHash of text: 0 for a text without words.
func Of(text string) uint64 {
	h, _ := Count(text)
	return h
}

// Count returns the SimHash of text and its number of words, in one pass
// without allocating: words are hashed as they are read (FNV-1a over
// their lowercased runes), and each shingle's feature is the mixed
// combination of its words' hashes.
func Count(text string) (uint64, int) {
	var c counter
	var window [Shingle]uint64 // hashes of the last Shingle words
	n := 0
	const offset, prime = 14695981039346656037, 1099511628211
	h, inWord := uint64(offset), false
	endWord := func() {
		copy(window[:], window[1:])
		window[Shingle-1] = h
		n++
		if n >= Shingle {
			c.add(mix(shingle(window[:])))
		}
		h, inWord = offset, false
	}
	for _, r := range text {
		if r < utf8.RuneSelf {
			// ASCII, the common case: the same test and case folding as
			// below, without the tables.
			switch {
			case 'A' <= r && r <= 'Z':
				r += 'a' - 'A'
			case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			default:
				if inWord {
					endWord()
				}
				continue
			}
			h = (h ^ uint64(r)) * prime
			inWord = true
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			r = unicode.ToLower(r)
			for ; r > 0; r >>= 8 {
				h = (h ^ uint64(r&0xff)) * prime
			}
			inWord = true
		} else if inWord {
			endWord()
		}
	}
	if inWord {
		endWord()
	}
	if n == 0 {
		return 0, 0
	}
	if n < Shingle {
		// Too short for one shingle: the words that there are.
		c.add(mix(shingle(window[Shingle-n:])))
	}
	return c.hash(), n
}

// counter counts, for each bit position, the features with that bit set.
// Eight lanes of eight byte-wide counters take a feature in eight
// additions rather than sixty-four: byte k of lanes[j] counts bit 8k+j,
// and the lanes are emptied into ones before a byte can overflow.
type counter struct {
	lanes   [8]uint64
	inLanes int // features added since the lanes were emptied
	ones    [64]int32
	n       int32 // features added
}

func (c *counter) add(f uint64) {
	for j := range c.lanes {
		c.lanes[j] += f >> j & 0x0101010101010101
	}
	c.n++
	if c.inLanes++; c.inLanes == 255 {
		c.empty()
	}
}

func (c *counter) empty() {
	for j, l := range c.lanes {
		for k := range 8 {
			c.ones[8*k+j] += int32(l >> (8 * k) & 0xff)
		}
		c.lanes[j] = 0
	}
	c.inLanes = 0
}

// hash sets bit b when more features have it set than not.
func (c *counter) hash() uint64 {
	c.empty()
	var out uint64
	for b, ones := range c.ones {
		if 2*ones > c.n {
			out |= 1 << b
		}
	}
	return out
}

// shingle combines word hashes in order.
func shingle(words []uint64) uint64 {
	var f uint64
	for _, w := range words {
		f = mix(f ^ w)
	}
	return f
}

// mix is the splitmix64 finaliser: FNV alone spreads similar short strings
// poorly across the high bits, which SimHash needs to be uniform.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// Distance returns the Hamming distance between two fingerprints.
func Distance(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// Near reports whether two fingerprints are within MaxDistance.
func Near(a, b uint64) bool { return Distance(a, b) <= MaxDistance }

// Split returns the four 16-bit bands of h, lowest first.
func Split(h uint64) [Bands]int64 {
	var out [Bands]int64
	for i := range out {
		out[i] = int64((h >> (16 * i)) & 0xffff)
	}
	return out
}

// Signed returns h as the int64 SQL stores keep (the same bits).
func Signed(h uint64) int64 { return int64(h) }

// Unsigned is the inverse of Signed.
func Unsigned(v int64) uint64 { return uint64(v) }
