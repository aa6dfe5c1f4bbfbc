package timeseries

// seriesIndex finds a series by (partition, by, detector). The common case
// is one lookup in a map keyed by a fixed 64-bit hash of the key, which is
// much cheaper than hashing a struct of strings; the rare hash collisions
// go to an overflow map keyed by the strings themselves.
type seriesIndex struct {
	byHash   map[uint64]int32
	overflow map[seriesKey]int32
	series   *[]series
}

func newSeriesIndex(s *[]series) seriesIndex {
	return seriesIndex{byHash: make(map[uint64]int32), overflow: make(map[seriesKey]int32), series: s}
}

// emptyHash is hashString(""), the by value of partition-only detectors.
var emptyHash = hashString("")

func keyHash(part, by string, det uint16) uint64 {
	h := hashString(part)
	hb := emptyHash
	if by != "" {
		hb = hashString(by)
	}
	h ^= (hb + 0x9e3779b97f4a7c15 + h<<6 + h>>2)
	h ^= uint64(det) * 0xff51afd7ed558ccd
	return h
}

func (x *seriesIndex) matches(i int32, part, by string, det uint16) bool {
	sr := &(*x.series)[i]
	return sr.det == det && sr.part == part && sr.by == by
}

func (x *seriesIndex) get(part, by string, det uint16) (int32, bool) {
	i, ok := x.byHash[keyHash(part, by, det)]
	if ok && x.matches(i, part, by, det) {
		return i, true
	}
	if len(x.overflow) == 0 {
		return 0, false
	}
	i, ok = x.overflow[seriesKey{part: part, by: by, det: det}]
	return i, ok
}

// put adds series i, which must be in the arena already and not indexed.
func (x *seriesIndex) put(i int32) {
	sr := &(*x.series)[i]
	h := keyHash(sr.part, sr.by, sr.det)
	if _, taken := x.byHash[h]; taken {
		x.overflow[seriesKey{part: sr.part, by: sr.by, det: sr.det}] = i
		return
	}
	x.byHash[h] = i
}

// del removes series i, still in the arena.
func (x *seriesIndex) del(i int32) {
	sr := &(*x.series)[i]
	h := keyHash(sr.part, sr.by, sr.det)
	if j, ok := x.byHash[h]; ok && j == i {
		delete(x.byHash, h)
		return
	}
	delete(x.overflow, seriesKey{part: sr.part, by: sr.by, det: sr.det})
}

func (x *seriesIndex) len() int { return len(x.byHash) + len(x.overflow) }
