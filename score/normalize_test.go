package score

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type normRef struct {
	Normalize []struct {
		Ref    []float64 `json:"ref"`
		New    []float64 `json:"new"`
		ZScore []float64 `json:"zscore"`
		Robust []float64 `json:"robust"`
		MinMax []float64 `json:"minmax"`
		Rank   []float64 `json:"rank"`
		Unify  []float64 `json:"unify"`
	} `json:"normalize"`
	Combine struct {
		KNN       []float64 `json:"knn"`
		LOF       []float64 `json:"lof"`
		Equal     []float64 `json:"equal"`
		AlphaBeta []float64 `json:"alpha_beta"`
		Maximum   []float64 `json:"maximum"`
	} `json:"combine"`
}

func loadNormRef(t *testing.T) normRef {
	t.Helper()
	raw, err := os.ReadFile("testdata/normalize_ref.json")
	require.NoError(t, err)
	var r normRef
	require.NoError(t, json.Unmarshal(raw, &r))
	require.NotEmpty(t, r.Normalize)
	return r
}

func TestNormalizersAgainstScipy(t *testing.T) {
	ref := loadNormRef(t)
	for ci, c := range ref.Normalize {
		for _, tc := range []struct {
			kind Norm
			want []float64
		}{
			{ZScore, c.ZScore}, {RobustZScore, c.Robust}, {MinMax, c.MinMax}, {Rank, c.Rank}, {Unify, c.Unify},
		} {
			t.Run(fmt.Sprintf("case%d/%v", ci, tc.kind), func(t *testing.T) {
				n, err := FitNormalizer(tc.kind, c.Ref)
				require.NoError(t, err)
				got, err := n.Transform(c.New)
				require.NoError(t, err)
				require.Len(t, got, len(tc.want))
				for i := range got {
					assert.InDelta(t, tc.want[i], got[i], 1e-9*math.Max(1, math.Abs(tc.want[i])), "score %d = %v", i, c.New[i])
				}
				// The encoded normaliser maps scores identically.
				b, err := n.MarshalBinary()
				require.NoError(t, err)
				var back Normalizer
				require.NoError(t, back.UnmarshalBinary(b))
				for _, s := range c.New {
					assert.Equal(t, n.Normalize(s), back.Normalize(s))
				}
			})
		}
	}
}

func TestNormalizerHand(t *testing.T) {
	ref := []float64{1, 2, 3, 4, 100}
	for _, tc := range []struct {
		kind      Norm
		loc, scal float64
		in, out   float64
	}{
		// mean 22, population std sqrt(((21²+20²+19²+18²+78²)/5)) = 39.00...
		{ZScore, 22, math.Sqrt((441 + 400 + 361 + 324 + 6084) / 5.0), 22, 0},
		// median 3, MAD median(|−2|,|−1|,0,1,97) = 1, so scale 1.4826.
		{RobustZScore, 3, madToSigma, 3 + madToSigma, 1},
		{MinMax, 1, 99, 50.5, 0.5},
		{Rank, 0, 1, 3, 0.6},
		{Rank, 0, 1, 0.5, 0},
		{Rank, 0, 1, 1000, 1},
	} {
		n, err := FitNormalizer(tc.kind, ref)
		require.NoError(t, err)
		loc, scale := n.Params()
		assert.InDelta(t, tc.loc, loc, 1e-12, "%v", tc.kind)
		assert.InDelta(t, tc.scal, scale, 1e-12, "%v", tc.kind)
		assert.InDelta(t, tc.out, n.Normalize(tc.in), 1e-12, "%v", tc.kind)
	}
	// The robust z-score is barely moved by the outlier; the z-score is.
	z, _ := FitNormalizer(ZScore, ref)
	r, _ := FitNormalizer(RobustZScore, ref)
	assert.Less(t, z.Normalize(100), 2.0)
	assert.Greater(t, r.Normalize(100), 60.0)
	// Unify: erf(z/√2) at z = 1.645 is 0.9, below the mean it is 0.
	u, _ := FitNormalizer(Unify, []float64{-1, 1})
	assert.InDelta(t, 0.9, u.Normalize(1.6448536269514722), 1e-12)
	assert.Zero(t, u.Normalize(-0.5))
}

func TestNormalizerDegenerate(t *testing.T) {
	for _, kind := range []Norm{ZScore, MinMax, Unify} {
		n, err := FitNormalizer(kind, []float64{5, 5, 5})
		require.NoError(t, err)
		_, scale := n.Params()
		assert.Equal(t, 1.0, scale, "%v: a constant reference has scale 1", kind)
	}
	// MAD 0 (most values equal): mean absolute deviation × sqrt(π/2).
	n, err := FitNormalizer(RobustZScore, []float64{2, 2, 2, 2, 6})
	require.NoError(t, err)
	_, scale := n.Params()
	assert.InDelta(t, math.Sqrt(math.Pi/2)*4/5, scale, 1e-12)
}

func TestNormalizerErrors(t *testing.T) {
	_, err := FitNormalizer(ZScore, nil)
	assert.ErrorIs(t, err, ErrEmpty)
	_, err = FitNormalizer(Rank, []float64{1, math.Inf(1)})
	assert.ErrorIs(t, err, ErrNonFinite)
	_, err = FitNormalizer(Norm(9), []float64{1})
	assert.ErrorIs(t, err, ErrConfig)
	assert.EqualError(t, err, "score: unknown normaliser 9")
	n, _ := FitNormalizer(ZScore, []float64{1, 2})
	_, err = n.Transform([]float64{math.NaN()})
	assert.ErrorIs(t, err, ErrNonFinite)
	var back Normalizer
	assert.ErrorIs(t, back.UnmarshalBinary([]byte("SNRMxx")), ErrCorrupt)
}
