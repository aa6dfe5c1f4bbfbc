package tsmodel

import (
	"math"
	"sync"

	"gonum.org/v1/gonum/mathext"
)

// Thin wrappers so the distribution code reads as the formulas do, and
// guards for arguments gonum would panic on.

func regIncBeta(a, b, x float64) float64 {
	if !(x > 0) {
		return 0
	}
	if x >= 1 {
		return 1
	}
	return mathext.RegIncBeta(a, b, x)
}

func gammaIncReg(a, x float64) float64 {
	if !(x > 0) {
		return 0
	}
	return mathext.GammaIncReg(a, x)
}

func gammaIncRegComp(a, x float64) float64 {
	if !(x > 0) {
		return 1
	}
	return mathext.GammaIncRegComp(a, x)
}

// tQuantile975 is the 97.5% quantile of a unit-scale Student-t with nu
// degrees of freedom, linearly interpolated in a table over nu ∈ [2, 130]
// (step 1/4) built at start-up from the exact inverse; beyond it, the
// normal quantile.
func tQuantile975(nu float64) float64 {
	qtOnce.Do(buildQT)
	x := (nu - qtLo) * qtStepsPerUnit
	if !(x >= 0) {
		x = 0
	}
	i := int(x)
	if i >= len(qtTable)-1 {
		return 1.959963984540054
	}
	f := x - float64(i)
	return qtTable[i]*(1-f) + qtTable[i+1]*f
}

const (
	qtLo           = 2.0
	qtHi           = 130.0
	qtStepsPerUnit = 4
)

var (
	qtOnce  sync.Once
	qtTable []float64
)

// buildQT fills the table on first use, so importing the package costs
// nothing.
func buildQT() {
	n := int((qtHi-qtLo)*qtStepsPerUnit) + 1
	qtTable = make([]float64, n)
	for i := range qtTable {
		nu := qtLo + float64(i)/qtStepsPerUnit
		x := mathext.InvRegIncBeta(nu/2, 0.5, 0.05)
		qtTable[i] = math.Sqrt(nu * (1 - x) / x)
	}
}
