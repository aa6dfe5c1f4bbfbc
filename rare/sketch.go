package rare

import "math"

// cmsDepth is the number of rows of the count-min sketches.
const cmsDepth = 4

// countMin is a count-min sketch (Cormode and Muthukrishnan, 2005) with
// conservative update (Estan and Varghese, 2002): an add raises only the
// counters that are below the new estimate, which keeps the overestimate of
// rare keys small when frequent keys share their counters. Counters hold
// scaled masses like every count in the model, so decay needs no pass over
// the sketch; they are float32 because the sketch only answers for the tail,
// where six significant digits are plenty.
// The counters are allocated on the first add, so that a model that never
// needs its tail costs (and snapshots) nothing for it.
type countMin struct {
	mask uint64    // width − 1; the width is a power of two
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

// estimate returns the smallest counter of key: never below the key's true
// mass (up to float32 rounding), above it by the mass of colliding keys.
func (s *countMin) estimate(key uint64) float64 {
	if len(s.c) == 0 {
		return 0
	}
	est := float32(math.MaxFloat32)
	for r := range cmsDepth {
		est = min(est, s.c[s.slot(key, r)])
	}
	return float64(est)
}

// add adds w to key with conservative update.
func (s *countMin) add(key uint64, w float64) {
	if !(w > 0) {
		return
	}
	if s.c == nil {
		s.alloc()
	}
	target := float32(s.estimate(key) + w)
	for r := range cmsDepth {
		i := s.slot(key, r)
		if s.c[i] < target {
			s.c[i] = target
		}
	}
}

// scale multiplies every counter by f (renormalisation of the decay scale).
func (s *countMin) scale(f float64) {
	for i, v := range s.c {
		s.c[i] = float32(float64(v) * f)
	}
}

// bytes is the sketch's size once allocated.
func (s *countMin) bytes() int64 { return int64(cmsDepth*s.width()) * 4 }
