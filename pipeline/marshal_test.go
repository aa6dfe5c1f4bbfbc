package pipeline

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/autoencoder"
	"github.com/vigil-ml/vigil/iforest"
	"github.com/vigil-ml/vigil/internal/codec"
	"github.com/vigil-ml/vigil/knn"
	"github.com/vigil-ml/vigil/lof"
	"github.com/vigil-ml/vigil/ocsvm"
	"github.com/vigil-ml/vigil/score"
)

func testRows(n, d int, seed uint64) *mat.Dense {
	r := rand.New(rand.NewPCG(seed, 5))
	X := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			X.Set(i, j, r.NormFloat64()*(1+float64(j)))
		}
	}
	return X
}

func fitTest(t testing.TB, X mat.Matrix, ds ...Detector) *Pipeline {
	t.Helper()
	p, err := Fit(context.Background(), X, Config{
		Detectors:    ds,
		Combine:      score.CombinerConfig{Weights: weightsFor(len(ds))},
		FeatureNames: []string{"a", "b", "c"},
	})
	require.NoError(t, err)
	return p
}

func weightsFor(m int) []float64 {
	w := make([]float64, m)
	for i := range w {
		w[i] = float64(i + 1)
	}
	return w
}

func TestMarshalRoundTrip(t *testing.T) {
	X := testRows(200, 3, 1)
	p := fitTest(t, X, Detector{Config: iforest.Config{Trees: 30, Seed: 4}}, Detector{Config: knn.Config{}},
		Detector{Name: "density", Config: lof.Config{K: 12}}, Detector{Config: &autoencoder.Config{Seed: 2, Epochs: 3}},
		Detector{Config: ocsvm.Config{Nu: 0.2}})
	b, err := p.MarshalBinary()
	require.NoError(t, err)
	var q Pipeline
	require.NoError(t, q.UnmarshalBinary(b))
	assert.Equal(t, p.Detectors(), q.Detectors())
	assert.Equal(t, []string{"iforest", "knn", "lof", "autoencoder", "ocsvm"}, q.Kinds())
	assert.Equal(t, p.FeatureNames(), q.FeatureNames())
	assert.Equal(t, p.Threshold().Value(), q.Threshold().Value())
	assert.Len(t, p.TrainingLabels(), 200)
	assert.Nil(t, q.TrainingLabels(), "training scores are not persisted")
	Q := testRows(100, 3, 2)
	a, err := p.ScoreBatch(context.Background(), Q)
	require.NoError(t, err)
	c, err := q.ScoreBatch(context.Background(), Q)
	require.NoError(t, err)
	assert.Equal(t, a, c)
	b2, err := q.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, b, b2)
}

// A blob in which two detectors changed places is refused, even when it is
// re-sealed with a valid checksum: the detectors no longer give the probe
// scores bound to their places.
func TestSwappedDetectorsRefused(t *testing.T) {
	X := testRows(200, 3, 3)
	for _, tc := range []struct {
		name string
		ds   []Detector
	}{
		{"knn and lof", []Detector{{Config: knn.Config{}}, {Config: lof.Config{}}}},
		// Same kind, other K: the tags match, only the models differ.
		{"two knn", []Detector{{Name: "k5", Config: knn.Config{K: 5}}, {Name: "k9", Config: knn.Config{K: 9}}}},
		{"two forests", []Detector{{Name: "a", Config: iforest.Config{Trees: 20, Seed: 1}}, {Name: "b", Config: iforest.Config{Trees: 20, Seed: 2}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := fitTest(t, X, tc.ds...)
			q := *p
			q.parts = []part{p.parts[1], p.parts[0]}
			b, err := q.MarshalBinary()
			require.NoError(t, err)
			var r Pipeline
			err = r.UnmarshalBinary(b)
			assert.ErrorIs(t, err, ErrCorrupt)
			assert.Contains(t, err.Error(), "not the model bound")
			assert.Nil(t, r.comb, "a refused blob leaves the pipeline unchanged")

			// Swapping the names too changes nothing: the check is on
			// what the models compute.
			q.parts[0].name, q.parts[1].name = q.parts[1].name, q.parts[0].name
			b, err = q.MarshalBinary()
			require.NoError(t, err)
			assert.ErrorIs(t, r.UnmarshalBinary(b), ErrCorrupt)
		})
	}
}

// A detector refitted on other rows, or a combiner of another pipeline, in an
// otherwise valid blob is refused.
func TestReplacedPartsRefused(t *testing.T) {
	X := testRows(200, 3, 4)
	p := fitTest(t, X, Detector{Config: knn.Config{}}, Detector{Config: lof.Config{}})
	other := fitTest(t, testRows(200, 3, 5), Detector{Config: knn.Config{}}, Detector{Config: lof.Config{}})

	q := *p
	q.parts = []part{other.parts[0], p.parts[1]}
	b, err := q.MarshalBinary()
	require.NoError(t, err)
	var r Pipeline
	assert.ErrorIs(t, r.UnmarshalBinary(b), ErrCorrupt)

	q = *p
	q.comb = other.comb
	b, err = q.MarshalBinary()
	require.NoError(t, err)
	err = r.UnmarshalBinary(b)
	assert.ErrorIs(t, err, ErrCorrupt)
	assert.Contains(t, err.Error(), "combiner")

	// A detector fit on another number of features.
	narrow := fitTest(t, testRows(200, 3, 6), Detector{Config: knn.Config{}})
	nm, err := knn.Fit(context.Background(), testRows(200, 2, 6), knn.Config{})
	require.NoError(t, err)
	q = *narrow
	q.parts = []part{{kind: narrow.parts[0].kind, name: "knn", det: nm}}
	b, err = q.MarshalBinary()
	require.NoError(t, err)
	err = r.UnmarshalBinary(b)
	assert.ErrorIs(t, err, ErrCorrupt)
	assert.Contains(t, err.Error(), "cannot score")
}

// Each part's kind tag must match its blob: a knn model stored under the lof
// tag does not decode.
func TestKindTagChecked(t *testing.T) {
	X := testRows(100, 3, 7)
	p := fitTest(t, X, Detector{Config: knn.Config{}})
	q := *p
	q.parts = []part{p.parts[0]}
	q.parts[0].kind = kindOfTag("lof")
	b, err := q.MarshalBinary()
	require.NoError(t, err)
	var r Pipeline
	err = r.UnmarshalBinary(b)
	assert.ErrorIs(t, err, ErrCorrupt)
	assert.Contains(t, err.Error(), "does not decode")

	q.parts[0].kind = &kind{tag: "ocsvm-from-the-future", version: 1}
	b, err = q.MarshalBinary()
	require.NoError(t, err)
	err = r.UnmarshalBinary(b)
	assert.ErrorIs(t, err, ErrCorrupt)
	assert.Contains(t, err.Error(), "does not know")
}

func TestCorruptInput(t *testing.T) {
	p := fitTest(t, testRows(100, 3, 8), Detector{Config: iforest.Config{Trees: 10, Seed: 1}}, Detector{Config: knn.Config{}})
	b, err := p.MarshalBinary()
	require.NoError(t, err)
	var r Pipeline
	for cut := 0; cut < len(b); cut += 1 + len(b)/200 {
		err := r.UnmarshalBinary(b[:cut])
		require.ErrorIs(t, err, ErrCorrupt, "cut at %d", cut)
		var e *Error
		require.True(t, errors.As(err, &e))
	}
	for i := 0; i < len(b); i += 1 + len(b)/300 {
		c := append([]byte(nil), b...)
		c[i] ^= 0x20
		require.ErrorIs(t, r.UnmarshalBinary(c), ErrCorrupt, "flip at %d", i)
	}
	// Behind a valid checksum, flipped payload bytes are still refused or
	// give a pipeline that scores; they never panic.
	payload := b[6 : len(b)-4]
	for i := 0; i < len(payload); i += 1 + len(payload)/300 {
		c := append([]byte(nil), payload...)
		c[i] ^= 0x01
		if r.UnmarshalBinary(codec.Seal(magic, version, c)) == nil {
			_, err := r.Score([]float64{0, 0, 0})
			require.NoError(t, err)
		}
	}
	assert.Nil(t, r.UnmarshalBinary(b))
	s, err := r.Score([]float64{0, 1, math.Pi})
	require.NoError(t, err)
	assert.False(t, math.IsNaN(s.Score))
}
