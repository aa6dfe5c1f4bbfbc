package tsmodel

import (
	"encoding/binary"
	"math"

	"github.com/vigil-ml/vigil/internal/check"
)

// Snapshot layout version and size.
const (
	codecVersion = 6
	// EncodedSize is the number of bytes AppendBinary appends.
	EncodedSize = 1 + 4 + 2 + 4 + 2 + 3*8 + 8*(1+nSeason*nCorr+2+3+1+calLevels) + 4*nSeason*(nCorr-1) + 4*3*len(ranges{}) + 1 + 4*(daySlots+2*slots) + slots
)

// AppendBinary appends the series' state (EncodedSize bytes) to b.
func (s *Series) AppendBinary(b []byte) []byte {
	le := binary.LittleEndian
	b = append(b, codecVersion)
	b = le.AppendUint32(b, s.n)
	b = le.AppendUint16(b, s.mbN)
	b = append(b, s.season, s.corr, s.flags, byte(s.runSide))
	b = le.AppendUint16(b, s.runN)
	b = le.AppendUint64(b, uint64(s.first))
	b = le.AppendUint64(b, uint64(s.last))
	b = le.AppendUint64(b, uint64(s.runStart))
	f := func(x float64) { b = le.AppendUint64(b, math.Float64bits(x)) }
	f(s.base)
	for m := range s.corrLvl {
		for _, x := range s.corrLvl[m] {
			b = le.AppendUint32(b, math.Float32bits(x))
		}
	}
	for m := range s.err {
		for _, x := range s.err[m] {
			f(x)
		}
	}
	f(s.m2)
	f(s.m4)
	f(s.mbS)
	f(s.mbVar)
	f(s.runMean)
	f(s.calN)
	for _, x := range s.calE {
		f(x)
	}
	b = append(b, s.calPrev)
	for _, x := range s.day {
		b = le.AppendUint32(b, math.Float32bits(x))
	}
	for d := range s.split {
		for _, x := range s.split[d] {
			b = le.AppendUint32(b, math.Float32bits(x))
		}
	}
	for _, g := range [...]*ranges{&s.prec, &s.precA, &s.precB} {
		for _, x := range g {
			b = le.AppendUint32(b, math.Float32bits(x))
		}
	}
	for _, q := range s.vscale {
		b = append(b, byte(q))
	}
	return b
}

// DecodeBinary restores a state written by AppendBinary from the front of b
// and returns the bytes after it. On error s is unchanged.
func (s *Series) DecodeBinary(b []byte) (rest []byte, err error) {
	if len(b) < EncodedSize {
		return b, check.Errorf(pkg, check.ErrCorrupt, "series state is %d bytes, want %d", len(b), EncodedSize)
	}
	if b[0] != codecVersion {
		return b, check.Errorf(pkg, check.ErrCorrupt, "series state has version %d, this build reads %d", b[0], codecVersion)
	}
	le := binary.LittleEndian
	var t Series
	o := 1
	t.n = le.Uint32(b[o:])
	o += 4
	t.mbN = le.Uint16(b[o:])
	o += 2
	t.season, t.corr, t.flags, t.runSide = b[o], b[o+1], b[o+2], int8(b[o+3])
	o += 4
	t.runN = le.Uint16(b[o:])
	o += 2
	i64 := func() int64 { x := int64(le.Uint64(b[o:])); o += 8; return x }
	f := func() float64 { x := math.Float64frombits(le.Uint64(b[o:])); o += 8; return x }
	t.first, t.last, t.runStart = i64(), i64(), i64()
	t.base = f()
	for m := range t.corrLvl {
		for c := range t.corrLvl[m] {
			t.corrLvl[m][c] = math.Float32frombits(le.Uint32(b[o:]))
			o += 4
		}
	}
	for m := range t.err {
		for c := range t.err[m] {
			t.err[m][c] = f()
		}
	}
	t.m2, t.m4, t.mbS, t.mbVar, t.runMean = f(), f(), f(), f(), f()
	t.calN = f()
	for k := range t.calE {
		t.calE[k] = f()
	}
	t.calPrev = b[o]
	o++
	for i := range t.day {
		t.day[i] = math.Float32frombits(le.Uint32(b[o:]))
		o += 4
	}
	for d := range t.split {
		for i := range t.split[d] {
			t.split[d][i] = math.Float32frombits(le.Uint32(b[o:]))
			o += 4
		}
	}
	for _, g := range [...]*ranges{&t.prec, &t.precA, &t.precB} {
		for i := range g {
			g[i] = math.Float32frombits(le.Uint32(b[o:]))
			o += 4
		}
	}
	for i := range t.vscale {
		t.vscale[i] = int8(b[o])
		o++
	}
	if t.season >= nSeason || t.corr >= nCorr || t.runSide < -1 || t.runSide > 1 || t.flags >= 1<<3 || t.calPrev >= 1<<calLevels {
		return b, check.Errorf(pkg, check.ErrCorrupt, "series state has out-of-range model fields")
	}
	if !t.finite() {
		return b, check.Errorf(pkg, check.ErrCorrupt, "series state holds a non-finite value")
	}
	*s = t
	return b[o:], nil
}

func (s *Series) finite() bool {
	ok := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	all := []float64{s.base, s.m2, s.m4, s.mbS, s.mbVar, s.runMean, s.calN, s.calE[0], s.calE[1], s.calE[2]}
	for _, x := range all {
		if !ok(x) {
			return false
		}
	}
	for m := range s.err {
		for _, x := range s.err[m] {
			if !ok(x) || x < 0 {
				return false
			}
		}
		for _, x := range s.corrLvl[m] {
			if !ok(float64(x)) {
				return false
			}
		}
	}
	for _, g := range [...]ranges{s.prec, s.precA, s.precB} {
		for _, x := range g {
			if !ok(float64(x)) {
				return false
			}
		}
	}
	for _, x := range s.day {
		if !ok(float64(x)) {
			return false
		}
	}
	for d := range s.split {
		for _, x := range s.split[d] {
			if !ok(float64(x)) {
				return false
			}
		}
	}
	return true
}
