package timeseries

import (
	"math"
	"sort"
)

// rare and freq_rare run on package rare. A detector's bucket feeds the
// rarity model each (entity, value) pair once, at the bucket's close and
// in key order, so out-of-order events within Latency give the same
// results as ordered ones:
//
//   - rare by X: one job-wide entity; a record's probability is the
//     probability of a value no more likely than X (rare.Result.Probability).
//   - rare by X partition P: the entity is the partition value. X's
//     probability is the joint (§3.8) of its rarity for P and among the
//     partitions (how many Ps used it), so that a value rolled out to the
//     whole fleet is not an alarm on every host, as it is in Elastic,
//     while a value new to P and to the fleet is.
//   - rare by X over Y [partition P]: the entity is Y within P and the
//     value X within P. X's probability is the joint (§3.8) of its rarity
//     in the population (how many Ys used it) and for this Y, so a value
//     the population rarely uses but this Y uses habitually, or one new to
//     Y but common in the population, is not alarming; a value rare for
//     both is. The Y's probability combines the distinct values it touched
//     in the bucket as Elastic's population style (combineAttributes: the
//     joint probability of the rare ones and the m-of-n extreme of all).
//   - freq_rare: as rare … over, combined with rare.Combiner.FreqRare, so
//     that a value used n times in the bucket counts as q^(1 + ln n).
//
// A brand-new entity's first values are not the signal: an entity's
// rarity is raised to the power min(1, age/20 buckets) (Elastic's 20
// buckets of learning), so its first bucket scores 0 and a value new to a
// 10-bucket-old entity counts with half its log-probability. An entity
// with a long history that uses a value for the first time gets the full
// rarity, about one over its history. Records carry actual 1 (freq_rare:
// the interactions) and typical equal to the probability, as Elastic's,
// and are scored with RarityScore.

func (e *Engine) closeRare(di int, x *extDetector, sl *xslot, c int64) {
	if len(sl.accs) == 0 {
		return
	}
	d := &e.dets[di]
	ord := x.order(sl)
	type scored struct {
		i    int32
		p    float64
		hits float64
	}
	sc := make([]scored, 0, len(ord))
	var ent, val []byte
	for _, i := range ord {
		xa := &sl.accs[i]
		ent = append(ent[:0], xa.part...)
		val = val[:0]
		if x.over {
			ent = append(append(ent, 0), xa.over...)
			val = append(append(val, xa.part...), 0)
		}
		val = append(val, xa.by...)
		r, err := x.rm.ObserveHash(c, x.rm.HashBytes(ent), x.rm.HashBytes(val))
		if err != nil || r.Repeat || r.Refused {
			continue
		}
		p := r.Probability
		if x.over || d.cfg.PartitionFieldName != "" {
			p = math.Exp(logJoint([]float64{r.PopProbability, r.Probability}))
		}
		if r.Age < rareMinAge {
			p = math.Pow(p, float64(r.Age)/rareMinAge)
		}
		sc = append(sc, scored{i, p, xa.a.count})
	}
	st := x.rm.Stats()
	e.bytes += st.Bytes - x.rbytes
	x.rbytes = st.Bytes
	sens := e.job.Sensitivity
	for lo := 0; lo < len(sc); {
		a0 := &sl.accs[sc[lo].i]
		hi := lo + 1
		for x.over && hi < len(sc) {
			a := &sl.accs[sc[hi].i]
			if a.part != a0.part || a.over != a0.over {
				break
			}
			hi++
		}
		grp := sc[lo:hi]
		p := grp[0].p
		switch {
		case x.feat == featFreqRare:
			x.comb.Reset()
			for _, s := range grp {
				x.comb.Add(s.p, int(math.Min(s.hits, math.MaxInt32)))
			}
			p = x.comb.FreqRare()
		case x.over:
			ps := make([]float64, len(grp))
			for k, s := range grp {
				ps[k] = s.p
			}
			p = combineAttributes(ps)
		}
		p = math.Pow(p, sens)
		if p < scoreP0 {
			sort.SliceStable(grp, func(a, b int) bool { return grp[a].p < grp[b].p })
			top := grp[0]
			r := e.newRecord(di, &sl.accs[top.i], p, true)
			r.Actual, r.Typical = 1, p
			if x.feat == featFreqRare {
				r.Actual = top.hits
			}
			if x.over {
				for _, s := range grp {
					if s.p < scoreP0 && len(r.Causes) < maxCauses {
						act := 1.0
						if x.feat == featFreqRare {
							act = s.hits
						}
						r.Causes = append(r.Causes, Cause{ByFieldValue: sl.accs[s.i].by, Probability: s.p, Actual: act, Typical: s.p})
					}
				}
			}
			accs := make([]*xacc, 0, len(grp))
			for _, s := range grp {
				if s.p < scoreP0 || len(accs) == 0 {
					accs = append(accs, &sl.accs[s.i])
				}
			}
			e.influencersOf(x, &r, accs)
			x.recs = append(x.recs, r)
		}
		lo = hi
	}
	_ = d
}
