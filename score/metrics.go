package score

import (
	"math"
	"slices"
	"sort"

	"github.com/vigil-ml/vigil/internal/check"
)

// checkLabelled validates a score vector against its labels.
func checkLabelled(scores []float64, labels []bool) error {
	if len(scores) == 0 {
		return check.Errorf(pkg, ErrEmpty, "no scores")
	}
	if len(scores) != len(labels) {
		return check.Errorf(pkg, ErrDimension, "%d scores but %d labels", len(scores), len(labels))
	}
	return finite(scores)
}

func finite(scores []float64) error {
	for i, s := range scores {
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return check.Errorf(pkg, ErrNonFinite, "score %d is %v", i, s)
		}
	}
	return nil
}

// descending returns the indices of scores ordered by decreasing score.
func descending(scores []float64) []int {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	return idx
}

// ROCAUC returns the area under the ROC curve of scores against labels (true
// means anomaly). Tied scores count one half, which makes it equal to
// scikit-learn's roc_auc_score and to the Mann-Whitney U statistic over the
// number of (anomaly, normal) pairs. Both classes must be present.
func ROCAUC(scores []float64, labels []bool) (float64, error) {
	if err := checkLabelled(scores, labels); err != nil {
		return 0, err
	}
	idx := descending(scores)
	var pos, neg int
	for _, l := range labels {
		if l {
			pos++
		} else {
			neg++
		}
	}
	if pos == 0 || neg == 0 {
		return 0, check.Errorf(pkg, ErrConfig, "ROC-AUC needs both classes, got %d anomalies and %d normals", pos, neg)
	}
	// Walk groups of equal score from the top: each normal in a group beats
	// no anomaly below it and ties with the group's anomalies.
	var area, posAbove float64
	for i := 0; i < len(idx); {
		j := i
		var gp, gn float64
		for ; j < len(idx) && scores[idx[j]] == scores[idx[i]]; j++ {
			if labels[idx[j]] {
				gp++
			} else {
				gn++
			}
		}
		area += gn * (posAbove + gp/2)
		posAbove += gp
		i = j
	}
	return area / (float64(pos) * float64(neg)), nil
}

// AveragePrecision returns scikit-learn's average_precision_score: the sum
// over distinct score thresholds t, from the highest down, of
// (R(t) − R(t_prev))·P(t), where P and R are the precision and recall of
// flagging scores ≥ t. At least one anomaly must be present.
func AveragePrecision(scores []float64, labels []bool) (float64, error) {
	if err := checkLabelled(scores, labels); err != nil {
		return 0, err
	}
	var pos int
	for _, l := range labels {
		if l {
			pos++
		}
	}
	if pos == 0 {
		return 0, check.Errorf(pkg, ErrConfig, "average precision needs at least one anomaly")
	}
	idx := descending(scores)
	var ap float64
	var tp, fp int
	prevRecall := 0.0
	for i := 0; i < len(idx); {
		j := i
		for ; j < len(idx) && scores[idx[j]] == scores[idx[i]]; j++ {
			if labels[idx[j]] {
				tp++
			} else {
				fp++
			}
		}
		recall := float64(tp) / float64(pos)
		ap += (recall - prevRecall) * float64(tp) / float64(tp+fp)
		prevRecall = recall
		i = j
	}
	return ap, nil
}

// Confusion counts the outcomes of flagging every score at or above a
// threshold.
type Confusion struct {
	TP, FP, TN, FN int
}

// Precision is TP/(TP+FP), 0 when nothing is flagged (scikit-learn's
// zero_division=0).
func (c Confusion) Precision() float64 { return ratio(c.TP, c.TP+c.FP) }

// Recall is TP/(TP+FN), 0 when there are no anomalies.
func (c Confusion) Recall() float64 { return ratio(c.TP, c.TP+c.FN) }

// F1 is the harmonic mean of precision and recall, 0 when both are 0.
func (c Confusion) F1() float64 { return ratio(2*c.TP, 2*c.TP+c.FP+c.FN) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// AtThreshold returns the confusion counts of flagging scores ≥ threshold.
func AtThreshold(scores []float64, labels []bool, threshold float64) (Confusion, error) {
	if err := checkLabelled(scores, labels); err != nil {
		return Confusion{}, err
	}
	if math.IsNaN(threshold) {
		return Confusion{}, check.Errorf(pkg, ErrNonFinite, "threshold is NaN")
	}
	var c Confusion
	for i, s := range scores {
		switch flagged := s >= threshold; {
		case flagged && labels[i]:
			c.TP++
		case flagged:
			c.FP++
		case labels[i]:
			c.FN++
		default:
			c.TN++
		}
	}
	return c, nil
}

// PrecisionAtN returns the fraction of anomalies among the n highest scores.
// n ≤ 0 means the number of anomalies in labels (PyOD's precision_n_scores
// default). When scores tie across the cut, the tied group contributes its
// anomaly fraction pro rata, the expected value under a random tie-break, so
// that the result does not depend on the order of the rows.
func PrecisionAtN(scores []float64, labels []bool, n int) (float64, error) {
	if err := checkLabelled(scores, labels); err != nil {
		return 0, err
	}
	if n <= 0 {
		for _, l := range labels {
			if l {
				n++
			}
		}
		if n == 0 {
			return 0, check.Errorf(pkg, ErrConfig, "precision@n with n=0 needs at least one anomaly")
		}
	}
	if n > len(scores) {
		return 0, check.Errorf(pkg, ErrConfig, "precision@n with n=%d exceeds the %d scores", n, len(scores))
	}
	idx := descending(scores)
	var hits float64
	taken := 0
	for i := 0; i < len(idx) && taken < n; {
		j := i
		gp := 0
		for ; j < len(idx) && scores[idx[j]] == scores[idx[i]]; j++ {
			if labels[idx[j]] {
				gp++
			}
		}
		size := j - i
		take := min(size, n-taken)
		hits += float64(gp) * float64(take) / float64(size)
		taken += take
		i = j
	}
	return hits / float64(n), nil
}

// Quantile returns the q-quantile (0 ≤ q ≤ 1) of x with linear interpolation
// between the closest ranks, numpy.quantile's default ("type 7"). x is not
// modified.
func Quantile(x []float64, q float64) (float64, error) {
	if len(x) == 0 {
		return 0, check.Errorf(pkg, ErrEmpty, "quantile of no values")
	}
	if !(q >= 0 && q <= 1) {
		return 0, check.Errorf(pkg, ErrConfig, "quantile level %v outside [0, 1]", q)
	}
	if err := finite(x); err != nil {
		return 0, err
	}
	s := slices.Clone(x)
	slices.Sort(s)
	return quantileSorted(s, q), nil
}

// quantileSorted is Quantile on sorted, finite, non-empty data.
func quantileSorted(s []float64, q float64) float64 {
	h := float64(len(s)-1) * q
	lo := int(math.Floor(h))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	return lerp(s[lo], s[lo+1], h-float64(lo))
}

// lerp interpolates between a ≤ b at t in [0, 1) as numpy.quantile does
// (from a below t = 0.5, from b above, so each end is exact), and stays
// finite when b − a overflows, where NumPy returns ±Inf.
func lerp(a, b, t float64) float64 {
	if t == 0 {
		return a
	}
	diff := b - a
	if math.IsInf(diff, 0) {
		return a*(1-t) + b*t
	}
	if t >= 0.5 {
		return b - diff*(1-t)
	}
	return a + diff*t
}
