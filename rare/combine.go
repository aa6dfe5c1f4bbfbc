package rare

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/mathext"
)

// Combiner turns the results of the values one entity touched in one
// bucket into a single probability for the entity: Rare for Elastic's
// `rare … over` (each distinct value counts once, so it counts distinct
// rare values) and FreqRare for `freq_rare` (each value weighs by how often
// the entity used it in the bucket, so it counts interactions). Add the
// population probability of each distinct value (Result.PopProbability of
// its first observation in the bucket) with its hit count. The zero value
// is ready; Reset reuses the memory, so a caller that keeps one Combiner per
// detector does not allocate once it has grown.
//
// The test: by construction a value's probability q is the chance that a
// random use falls on a value at least that rare, so under the population
// model each of the entity's m units of weight lands on a value of
// probability ≤ q with chance q. For each threshold q = p_(j), the
// j-th smallest probability, the tail P(K ≥ k_j) of a Binomial(m, q) —
// with k_j the weight on values of probability ≤ q, computed as the
// regularised incomplete beta I_q(k_j, m − k_j + 1) so that weights need
// not be integers — measures how unusual so much weight on so rare values
// is; the smallest tail over the J thresholds, multiplied by the harmonic
// number H_J to pay for trying J of them (the Benjamini–Yekutieli factor,
// valid under any dependence), is the entity's probability. One value of
// probability q gives q for Rare; for FreqRare, n uses of it give
// q^(1 + ln n): repeated uses count, with diminishing weight, because
// repeats of one value within a bucket are not independent draws.
type Combiner struct {
	items []combItem
}

type combItem struct {
	p, hits float64
}

// Reset empties the combiner.
func (c *Combiner) Reset() { c.items = c.items[:0] }

// Add records one distinct value with probability p, in (0, 1], used hits
// times (at least 1) in the bucket. Out-of-range arguments are clamped: a
// probability that is NaN or above 1 counts as 1, below the smallest
// positive float64 as that.
func (c *Combiner) Add(p float64, hits int) {
	if !(p <= 1) {
		p = 1
	}
	p = max(p, math.SmallestNonzeroFloat64)
	c.items = append(c.items, combItem{p, float64(max(hits, 1))})
}

// Rare returns the entity's probability counting each distinct value once;
// 1 if nothing was added.
func (c *Combiner) Rare() float64 { return c.combine(func(float64) float64 { return 1 }) }

// FreqRare returns the entity's probability weighting each value by
// 1 + ln(hits); 1 if nothing was added.
func (c *Combiner) FreqRare() float64 {
	return c.combine(func(h float64) float64 { return 1 + math.Log(h) })
}

func (c *Combiner) combine(weight func(float64) float64) float64 {
	if len(c.items) == 0 {
		return 1
	}
	slices.SortFunc(c.items, func(a, b combItem) int { return cmp.Compare(a.p, b.p) })
	m := 0.0
	for _, it := range c.items {
		m += weight(it.hits)
	}
	best, k, thresholds := 1.0, 0.0, 0
	for j, it := range c.items {
		k += weight(it.hits)
		if j+1 < len(c.items) && c.items[j+1].p == it.p {
			continue // ties: one threshold
		}
		thresholds++
		var tail float64
		switch {
		case it.p >= 1:
			tail = 1
		case m-k < 1e-12:
			tail = math.Pow(it.p, k) // all the weight: I_q(k, 1) = q^k
		default:
			tail = mathext.RegIncBeta(k, m-k+1, it.p)
		}
		best = min(best, tail)
	}
	h := 0.0
	for j := 1; j <= thresholds; j++ {
		h += 1 / float64(j)
	}
	return min(1, best*h)
}
