package timeseries

import (
	"math"
	"sort"
	"time"

	"github.com/vigil-ml/vigil/internal/tsmodel"
)

// pendingRec is an anomalous series of the closing bucket whose model
// update waits until its influences are computed (they need the model as
// it scored the bucket).
type pendingRec struct {
	series  int32
	v       float64
	res     tsmodel.Result
	updated bool    // the model has learnt the bucket already
	sub     uint8   // metric: 0 mean, 1 min, 2 max
	cands   []int32 // side-table entries of this series
}

// influenceCutoff is Elastic's: influences below it are dropped.
const influenceCutoff = 0.4

// maxCandidates bounds the influencer values examined per record and field.
const maxCandidates = 50

// value returns the bucket value of a series' accumulator, whether the
// bucket has data, and whether an empty bucket is modelled as zero.
func bucketValue(f feature, a *accum) (v float64, has, zeroFill bool) {
	switch f {
	case featCount:
		return a.count, a.count > 0, true
	case featNonZeroCount:
		return a.count, a.count > 0, false
	case featDistinct:
		return a.dist.count(), a.count > 0, true
	case featMean:
		if a.n > 0 {
			return (a.sum + a.cmp) / a.n, true, false
		}
	case featMin:
		return a.min, a.n > 0, false
	case featMax:
		return a.max, a.n > 0, false
	case featSum:
		return a.sum + a.cmp, a.n > 0, true
	case featNonNullSum:
		return a.sum + a.cmp, a.n > 0, false
	case featVarp:
		return a.varp(), a.n > 0, false
	case featMedian:
		if a.n > 0 && a.m != nil {
			return a.m.median(), true, false
		}
	case featInfo:
		return a.m.info(), a.count > 0, true
	}
	return 0, false, false
}

func (e *Engine) closeBucket() BucketResult {
	c := e.open
	s := e.slot(c)
	t := c * e.spanMs / 1000
	e.pending = e.pending[:0]
	jobBuckets := e.stats.Buckets + 1
	calRes, calUpd := e.calendarEffect(c * e.spanMs)
	for i := range e.series {
		sr := &e.series[i]
		if !sr.alive || sr.first > c {
			continue
		}
		d := &e.dets[sr.det]
		a := &e.acc[int64(i)*e.slots+s]
		for k := 0; k < d.nsub(); k++ {
			feat, sd, m := e.sub(int32(i), d, k)
			v, has, zeroFill := bucketValue(feat, a)
			var r tsmodel.Result
			scored := false
			switch {
			case has:
				scored = true
				if d.side0 {
					r = m.Observe(d.params, t, v, sd)
				} else {
					r = m.Score(d.params, t, v, sd)
				}
			case zeroFill:
				// Elastic's sparse-data switch: empty buckets weigh
				// clamp(2·occupancy, 1e-6, 1); those of sparse entities are
				// learnt at that weight but not scored.
				occ := float64(sr.present) / float64(c-sr.first+1)
				w := math.Min(1, math.Max(1e-6, 2*occ))
				if w >= 1 {
					scored = true
					if d.side0 {
						r = m.Observe(d.params, t, 0, sd)
					} else {
						r = m.Score(d.params, t, 0, sd)
					}
				} else {
					if e.plot(d, sr) {
						typ, lo, hi := m.Predict(d.params, t)
						e.plots = append(e.plots, e.modelPlot(c, sr, 0, typ, lo, hi))
					}
					if _, skipUpd := e.skips(sr, 0, math.NaN(), t, calRes, calUpd); !skipUpd {
						m.UpdateWeighted(d.params, t, 0, w)
					}
				}
			}
			if !scored {
				continue
			}
			if e.plot(d, sr) {
				e.plots = append(e.plots, e.modelPlot(c, sr, v, r.Typical, r.Lower, r.Upper))
			}
			skipRes, skipUpd := e.skips(sr, v, r.Typical, t, calRes, calUpd)
			if !skipRes && e.reportable(d, sr, &r, jobBuckets) {
				e.pending = append(e.pending, pendingRec{series: int32(i), v: v, res: r, updated: d.side0 || skipUpd, sub: uint8(k)})
			} else if !d.side0 && !skipUpd {
				m.Update(d.params, t, v)
			}
		}
	}
	out := BucketResult{
		JobID:      e.job.ID,
		Timestamp:  time.UnixMilli(c * e.spanMs).UTC(),
		BucketSpan: e.spanMs / 1000,
		EventCount: e.events[s],
	}
	if len(e.pending) > 0 {
		e.buildRecords(&out, c, s, t)
	}
	e.closeExt(&out, c, s, t)
	if len(e.plots) > 0 {
		out.ModelPlot = append([]ModelPlot(nil), e.plots...)
		e.plots = e.plots[:0]
	}
	// Reset the slot for bucket c+slots, and prune idle entities.
	for i := range e.series {
		sr := &e.series[i]
		if !sr.alive {
			continue
		}
		a := &e.acc[int64(i)*e.slots+s]
		if a.dist != nil {
			e.resetDistinct(a.dist)
		}
		e.releaseMetric(a)
		*a = accum{dist: a.dist}
		if e.effPrune > 0 && c-sr.last >= e.effPrune && sr.last < c {
			e.freeSeries(int32(i))
		}
	}
	st := &e.side[s]
	for i := range st.ents {
		e.bytes -= sideEntry + int64(len(st.ents[i].value))
	}
	e.bytes -= int64(len(st.dist)) * distEntry
	clear(st.ents)
	st.ents = st.ents[:0]
	clear(st.idx)
	clear(st.dist)
	e.events[s] = 0
	e.open++
	e.stats.Buckets++
	e.stats.Records += int64(len(out.Records))

	status := e.status
	switch {
	case e.status == MemoryHardLimit:
	case float64(e.bytes) >= softFraction*float64(e.job.MemoryLimit):
		status = MemorySoftLimit
	default:
		status = MemoryOK
	}
	if status != MemoryOK && e.effPrune > 2 {
		e.effPrune = max(2, e.effPrune*9/10)
	} else if status == MemoryOK {
		e.effPrune = e.pruneBuckets
	}
	out.ModelSizeStats = e.sizeStats(out.Timestamp, status)
	// Next period starts from what the bytes say; hard_limit again only if
	// entities are refused again.
	if float64(e.bytes) >= softFraction*float64(e.job.MemoryLimit) {
		e.status = MemorySoftLimit
	} else {
		e.status = MemoryOK
	}
	return out
}

func (e *Engine) sizeStats(ts time.Time, status MemoryStatus) ModelSizeStats {
	return ModelSizeStats{
		JobID: e.job.ID, Timestamp: ts,
		ModelBytes: e.bytes, MemoryLimit: e.job.MemoryLimit, MemoryStatus: status,
		Series: int64(len(e.series)-len(e.free)) + e.extSeries(), Partitions: int64(len(e.parts)),
		AllocationFailures: e.stats.Refused, Pruned: e.stats.Pruned,
	}
}

// ModelSizeStats returns the job's memory account now.
func (e *Engine) ModelSizeStats() ModelSizeStats {
	return e.sizeStats(time.UnixMilli(e.open*e.spanMs).UTC(), e.status)
}

func (e *Engine) resetDistinct(d *distinctSet) {
	if d.hll != nil {
		// Back to exact counting for the next bucket.
		e.bytes -= hllBytes
		d.hll, d.exact, d.peak = nil, nil, 0
		return
	}
	clear(d.exact)
}

// reportable reports whether a scored bucket makes a record.
func (e *Engine) reportable(d *detector, sr *series, r *tsmodel.Result, jobBuckets int64) bool {
	if !r.Warm || !(r.Probability < scoreP0) {
		return false
	}
	if d.exclFreq && jobBuckets >= freqMinBucket && float64(sr.present) > freqThreshold*float64(jobBuckets) {
		return false
	}
	return true
}

func (e *Engine) buildRecords(out *BucketResult, c, s, t int64) {
	// Attach side-table entries to the pending records.
	st := &e.side[s]
	if len(st.ents) > 0 {
		at := make(map[int32]int, len(e.pending))
		for k := range e.pending {
			at[e.pending[k].series] = k
		}
		for ei := range st.ents {
			if k, ok := at[st.ents[ei].series]; ok {
				e.pending[k].cands = append(e.pending[k].cands, int32(ei))
			}
		}
	}
	infl := map[[2]string]*InfluencerResult{}
	out.Records = make([]Record, 0, len(e.pending))
	for k := range e.pending {
		pr := &e.pending[k]
		sr := &e.series[pr.series]
		d := &e.dets[sr.det]
		r := pr.res
		score := ProbabilityScore(r.Probability)
		rec := Record{
			JobID: e.job.ID, Timestamp: out.Timestamp, BucketSpan: out.BucketSpan,
			DetectorIndex: int(sr.det), Function: d.cfg.Function, FieldName: d.cfg.FieldName,
			ByFieldName: d.cfg.ByFieldName, PartitionFieldName: d.cfg.PartitionFieldName,
			RecordScore: score, InitialRecordScore: score, Probability: r.Probability,
			Actual: pr.v, Typical: r.Typical, Lower: r.Lower, Upper: r.Upper,
			MultiBucketImpact: r.MultiBucketImpact, Severity: SeverityOf(score),
		}
		if d.f.feat == featMetric {
			rec.FunctionDescription = metricSubs[pr.sub].name
		}
		if d.cfg.ByFieldName != "" {
			rec.ByFieldValue = sr.by
		}
		if d.cfg.PartitionFieldName != "" {
			rec.PartitionFieldValue = sr.part
		}
		for j, field := range e.job.Influencers {
			var vals []string
			var infs []float64
			switch d.self[j] {
			case 1:
				vals, infs = []string{sr.by}, []float64{1}
			case 2:
				vals, infs = []string{sr.part}, []float64{1}
			default:
				vals, infs = e.influences(pr, d, sr, uint16(j), st, t)
			}
			if len(vals) == 0 {
				continue
			}
			rec.Influencers = append(rec.Influencers, RecordInfluencer{FieldName: field, FieldValues: vals})
			for q, v := range vals {
				p := math.Pow(r.Probability, infs[q])
				key := [2]string{field, v}
				ir := infl[key]
				if ir == nil {
					ir = &InfluencerResult{JobID: e.job.ID, Timestamp: out.Timestamp, BucketSpan: out.BucketSpan,
						FieldName: field, FieldValue: v, Probability: 1}
					infl[key] = ir
				}
				if p < ir.Probability {
					ir.Probability = p
					ir.InfluencerScore = ProbabilityScore(p)
					ir.InitialInfluencerScore = ir.InfluencerScore
				}
			}
		}
		out.Records = append(out.Records, rec)
		// Learn the bucket now that its influences are known.
		if !pr.updated {
			_, _, m := e.sub(pr.series, d, int(pr.sub))
			m.Update(d.params, t, pr.v)
		}
		pr.cands = pr.cands[:0]
	}
	sort.Slice(out.Records, func(a, b int) bool {
		ra, rb := &out.Records[a], &out.Records[b]
		if ra.DetectorIndex != rb.DetectorIndex {
			return ra.DetectorIndex < rb.DetectorIndex
		}
		if ra.PartitionFieldValue != rb.PartitionFieldValue {
			return ra.PartitionFieldValue < rb.PartitionFieldValue
		}
		if ra.ByFieldValue != rb.ByFieldValue {
			return ra.ByFieldValue < rb.ByFieldValue
		}
		return ra.FunctionDescription < rb.FunctionDescription
	})
	// Bucket score and bucket influencers.
	minP := 1.0
	for i := range out.Records {
		out.AnomalyScore = math.Max(out.AnomalyScore, out.Records[i].RecordScore)
		minP = math.Min(minP, out.Records[i].Probability)
	}
	out.InitialAnomalyScore = out.AnomalyScore
	for _, ir := range infl {
		out.Influencers = append(out.Influencers, *ir)
	}
	sort.Slice(out.Influencers, func(a, b int) bool {
		ia, ib := &out.Influencers[a], &out.Influencers[b]
		if ia.FieldName != ib.FieldName {
			return ia.FieldName < ib.FieldName
		}
		return ia.FieldValue < ib.FieldValue
	})
	for _, field := range e.job.Influencers {
		bi := BucketInfluencer{InfluencerFieldName: field, Probability: 1}
		found := false
		for i := range out.Influencers {
			if ir := &out.Influencers[i]; ir.FieldName == field && ir.Probability < bi.Probability {
				bi.Probability, found = ir.Probability, true
			}
		}
		if found {
			bi.AnomalyScore = ProbabilityScore(bi.Probability)
			bi.InitialAnomalyScore = bi.AnomalyScore
			bi.RawAnomalyScore = rawScore(bi.Probability)
			out.BucketInfluencers = append(out.BucketInfluencers, bi)
		}
	}
	out.BucketInfluencers = append(out.BucketInfluencers, BucketInfluencer{
		InfluencerFieldName: "bucket_time", AnomalyScore: out.AnomalyScore, InitialAnomalyScore: out.AnomalyScore,
		RawAnomalyScore: rawScore(minP), Probability: minP,
	})
}

// influences returns the values of influencer field j that influenced the
// record, most influential first, with their influence in [0.4, 1].
// Sum-like features ask whether the bucket is still anomalous without the
// value's events (influence = 1 − ln P(A\B)/ln P(A)); the others whether
// the value's events alone are anomalous (ln P(B)/ln P(A)), as Elastic.
func (e *Engine) influences(pr *pendingRec, d *detector, sr *series, j uint16, st *sideTable, t int64) ([]string, []float64) {
	var cands []*infEntry
	for _, ei := range pr.cands {
		if en := &st.ents[ei]; en.field == j {
			cands = append(cands, en)
		}
	}
	if len(cands) == 0 {
		return nil, nil
	}
	sort.Slice(cands, func(a, b int) bool {
		if cands[a].count != cands[b].count {
			return cands[a].count > cands[b].count
		}
		return cands[a].value < cands[b].value
	})
	if len(cands) > maxCandidates {
		cands = cands[:maxCandidates]
	}
	lnP := math.Log(pr.res.Probability)
	feat, sd, model := e.sub(pr.series, d, int(pr.sub))
	type vi struct {
		v string
		w float64
	}
	var got []vi
	for _, en := range cands {
		var w float64
		switch feat {
		case featCount, featNonZeroCount, featSum, featNonNullSum:
			contrib := en.count
			if feat == featSum || feat == featNonNullSum {
				contrib = en.sum
			}
			if contrib == pr.v || len(cands) == 1 {
				w = 1
			} else {
				p := model.Score(d.params, t, pr.v-contrib, sd).Probability
				w = 1 - math.Log(p)/lnP
			}
		default:
			if len(cands) == 1 {
				w = 1
				break
			}
			var only float64
			switch feat {
			case featDistinct:
				only = en.distinct
			case featMean:
				only = en.sum / en.n
			case featMin:
				only = en.min
			case featMax:
				only = en.max
			case featMedian:
				only = en.sum / en.n // the value's own mean stands for its median
			case featVarp, featInfo:
				// Neither splits by value: blame the values by their share
				// of the bucket's events.
				tot := 0.0
				for _, c := range cands {
					tot += c.count
				}
				w = en.count / tot
				if w >= influenceCutoff {
					got = append(got, vi{en.value, w})
				}
				continue
			}
			p := model.Score(d.params, t, only, sd).Probability
			w = math.Log(p) / lnP
		}
		w = math.Max(0, math.Min(1, w))
		if w >= influenceCutoff {
			got = append(got, vi{en.value, w})
		}
	}
	sort.SliceStable(got, func(a, b int) bool {
		if got[a].w != got[b].w {
			return got[a].w > got[b].w
		}
		return got[a].v < got[b].v
	})
	vals := make([]string, len(got))
	ws := make([]float64, len(got))
	for i, g := range got {
		vals[i], ws[i] = g.v, g.w
	}
	return vals, ws
}

// plot reports whether the series is in the model plot.
func (e *Engine) plot(d *detector, sr *series) bool {
	if !e.job.ModelPlot {
		return false
	}
	if len(e.plotTerms) == 0 {
		return true
	}
	return e.plotTerms[sr.by] || e.plotTerms[sr.part]
}

func (e *Engine) modelPlot(c int64, sr *series, v, typ, lo, hi float64) ModelPlot {
	d := &e.dets[sr.det]
	mp := ModelPlot{JobID: e.job.ID, Timestamp: time.UnixMilli(c * e.spanMs).UTC(), BucketSpan: e.spanMs / 1000,
		DetectorIndex: int(sr.det), Function: d.cfg.Function, FieldName: d.cfg.FieldName,
		ByFieldName: d.cfg.ByFieldName, PartitionFieldName: d.cfg.PartitionFieldName,
		Actual: v, Median: typ, Lower: lo, Upper: hi}
	if d.cfg.ByFieldName != "" {
		mp.ByFieldValue = sr.by
	}
	if d.cfg.PartitionFieldName != "" {
		mp.PartitionFieldValue = sr.part
	}
	return mp
}
