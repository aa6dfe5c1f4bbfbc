package testenv

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"

	"github.com/vigil-ml/vigil/internal/check"
	"gonum.org/v1/gonum/mat"
)

// Model is a Detector that persists.
type Model interface {
	Detector
	MarshalBinary() ([]byte, error)
}

// CheckLoaded asserts what a fuzzer needs of any model that decodes: it
// is one Fit could make, so bounded samples of the right width, the
// largest accepted value included, score finitely and non-negatively.
func CheckLoaded(t testing.TB, m Detector, dim int) {
	t.Helper()
	x := make([]float64, dim)
	x[0] = check.MaxDistanceValue
	for _, q := range [][]float64{x, make([]float64, dim)} {
		if s, err := m.Score(q); err != nil || !(s >= 0 && s <= math.MaxFloat64) {
			t.Fatalf("loaded model scores %v as %v, %v", q, s, err)
		}
	}
	all, err := m.ScoreBatch(mat.NewDense(1, dim, x))
	if err != nil || !(all[0] >= 0 && all[0] <= math.MaxFloat64) {
		t.Fatalf("loaded model scores a batch as %v, %v", all, err)
	}
}

// CheckRoundTrip asserts that decoded scores exactly as m on the rows of
// Q, and that every truncation of m's bytes is refused with ErrCorrupt by
// unmarshal.
func CheckRoundTrip(t testing.TB, m, decoded Detector, Q [][]float64, unmarshal func([]byte) error, b []byte) {
	t.Helper()
	for _, q := range Q {
		s1, err1 := m.Score(q)
		s2, err2 := decoded.Score(q)
		if err1 != nil || err2 != nil || s1 != s2 {
			t.Errorf("sample %v: %v (%v) before, %v (%v) after", q, s1, err1, s2, err2)
		}
	}
	for cut := 0; cut < len(b); cut += 1 + len(b)/50 {
		if err := unmarshal(b[:cut]); !errors.Is(err, check.ErrCorrupt) {
			t.Errorf("%d of %d bytes: %v, want ErrCorrupt", cut, len(b), err)
		}
	}
}

// CheckConcurrent scores Q from four goroutines at once and compares with
// want, to a relative 1e-9.
func CheckConcurrent(t *testing.T, m Scorer, Q [][]float64, want []float64) {
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, q := range Q {
				s, err := m.Score(q)
				if err != nil || math.Abs(s-want[i]) > 1e-9*math.Abs(want[i]) {
					t.Errorf("goroutine %d query %d: %v (%v), want %v", g, i, s, err, want[i])
				}
			}
		}()
	}
	wg.Wait()
}

// CheckZero asserts that every method of a zero model returns package
// pkg's ErrNotFitted, Score with NaN, and that errors.As reads it.
func CheckZero(t testing.TB, m Model, pkg string) {
	t.Helper()
	X := mat.NewDense(1, 1, nil)
	s, err := m.Score([]float64{1})
	if !math.IsNaN(s) {
		t.Errorf("Score of a zero model: %v, want NaN", s)
	}
	want := check.NotFitted(pkg).Error()
	var e *check.Error
	if !errors.As(err, &e) || e.Kind != check.ErrNotFitted || e.Pkg != pkg || err.Error() != want {
		t.Errorf("Score of a zero model: %v, want %q", err, want)
	}
	_, err1 := m.ScoreBatch(X)
	_, err2 := m.ScoreBatchContext(context.Background(), X)
	err3 := m.ScoreTo(make([]float64, 1), X)
	err4 := m.ScoreToContext(context.Background(), make([]float64, 1), X)
	_, err5 := m.Explain([]float64{1})
	_, err6 := m.MarshalBinary()
	for i, err := range []error{err1, err2, err3, err4, err5, err6} {
		if !errors.Is(err, check.ErrNotFitted) {
			t.Errorf("method %d of a zero model: %v, want ErrNotFitted", i+1, err)
		}
	}
}

// CheckHugeValues asserts that values whose squares overflow are refused
// with their row and column, in training data and in samples.
func CheckHugeValues(t testing.TB, fit func(X mat.Matrix) (Detector, error), pkg string) {
	t.Helper()
	X := mat.NewDense(4, 2, []float64{1, 2, 3, 4, 5, -1e300, 7, 8})
	_, err := fit(X)
	var e *check.Error
	if !errors.As(err, &e) || e.Kind != check.ErrNonFinite || e.Row != 2 || e.Col != 1 || err.Error() != pkg+": row 2 column 1 is -1e+300, beyond ±1e+150 where squared distances overflow: rescale the data" {
		t.Errorf("Fit: %v", err)
	}
	X.Set(2, 1, 6)
	m, err := fit(X)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Score([]float64{1e200, 0}); !errors.Is(err, check.ErrNonFinite) {
		t.Errorf("Score: %v", err)
	}
	if _, err := m.ScoreBatch(mat.NewDense(1, 2, []float64{0, 1e200})); !errors.As(err, &e) || e.Row != 0 || e.Col != 1 {
		t.Errorf("ScoreBatch: %v", err)
	}
}
