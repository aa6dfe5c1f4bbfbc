package rare

import "math"

// cmsDepth is the number of rows of the count-min sketches.
const cmsDepth = 4

// countMin is a count-min sketch (Cormode and Muthukrishnan, 2005) read as a
// count-mean-min sketch (Deng and Rafiei, 2007): each row's counter is
// corrected by the average mass the other keys put in a counter of that row,
// and the estimate is the median of the corrected rows, clamped to
// [0, smallest counter]. Under a flood that fills every counter, a plain
// count-min estimate of an unseen key is the flood's level per counter; the
// corrected one stays near zero, so a flood can neither make its own values
// look established nor pass for the history of an evicted value.
//
// Counters hold scaled masses like every count in the model, so decay needs
// no pass over the sketch; they are float32 because the sketch only answers
// for the tail. The counters are allocated on the first add, so that a model
// that never needs its tail costs (and snapshots) nothing for it.
type countMin struct {
	mask uint64    // width − 1; the width is a power of two
	n    float64   // total mass added (every row receives all of it)
	c    []float32 // cmsDepth rows of width counters, or nil before any add
}

func newCountMin(width int) countMin { return countMin{mask: uint64(width - 1)} }

func (s *countMin) alloc() { s.c = make([]float32, cmsDepth*s.width()) }

func (s *countMin) width() int { return int(s.mask + 1) }

// slot returns the counter index of key in row r.
func (s *countMin) slot(key uint64, r int) int {
	h := mix64(key + uint64(r)*0x9e3779b97f4a7c15)
	return r*s.width() + int(h&s.mask)
}

// estimate returns the key's mass as the median of the noise-corrected rows.
func (s *countMin) estimate(key uint64) float64 {
	if s.c == nil {
		return 0
	}
	var e [cmsDepth]float64
	lo := math.Inf(1)
	w := float64(s.width())
	for r := range cmsDepth {
		c := float64(s.c[s.slot(key, r)])
		lo = min(lo, c)
		e[r] = c - max(0, s.n-c)/(w-1)
	}
	// Median of four: the mean of the middle two.
	if e[0] > e[1] {
		e[0], e[1] = e[1], e[0]
	}
	if e[2] > e[3] {
		e[2], e[3] = e[3], e[2]
	}
	mid := (max(e[0], e[2]) + min(e[1], e[3])) / 2
	return max(0, min(mid, lo))
}

// add adds w to key.
func (s *countMin) add(key uint64, w float64) {
	if !(w > 0) {
		return
	}
	if s.c == nil {
		s.alloc()
	}
	s.n += w
	for r := range cmsDepth {
		s.c[s.slot(key, r)] += float32(w)
	}
}

// scale multiplies every counter by f (renormalisation of the decay scale).
func (s *countMin) scale(f float64) {
	s.n *= f
	for i, v := range s.c {
		s.c[i] = float32(float64(v) * f)
	}
}

// bytes is the sketch's size once allocated.
func (s *countMin) bytes() int64 { return int64(cmsDepth*s.width()) * 4 }
