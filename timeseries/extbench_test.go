package timeseries

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// acctEvent is an accessor event with an account and a categorical value.
type acctEvent struct {
	t            time.Time
	acct, target string
}

func (e *acctEvent) Time() time.Time { return e.t }
func (e *acctEvent) Text(f string) (string, bool) {
	switch f {
	case "account":
		return e.acct, true
	case "target":
		return e.target, true
	}
	return "", false
}
func (e *acctEvent) Number(string) (float64, bool) { return 0, false }

const benchAccounts = 2000

// benchAccountJob runs one job over 2,000 accounts, five events per account
// per 5-minute bucket, each to one of the account's 20 usual targets out
// of 500 (and, every 1,000th event, a never-seen one). The count jobs on
// the same stream are the peers.
func benchAccountJob(b *testing.B, d Detector) {
	accts := make([]string, benchAccounts)
	for i := range accts {
		accts[i] = fmt.Sprintf("acct-%05d", i)
	}
	targets := make([]string, 500)
	for i := range targets {
		targets[i] = fmt.Sprintf("merchant-%03d", i)
	}
	fresh := make([]string, 4096)
	for i := range fresh {
		fresh[i] = fmt.Sprintf("new-%04d", i)
	}
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	// 64 MiB: the rare model sizes its fixed sketches from its share of
	// the limit (about 6 % of it), so the default 1 GiB would dwarf the
	// entities' own state in this small job.
	e, err := New(Job{ID: "bench", Detectors: []Detector{d}, MemoryLimit: 64 << 20})
	if err != nil {
		b.Fatal(err)
	}
	ev := &acctEvent{}
	perBucket := 5 * benchAccounts
	step := 5 * time.Minute / time.Duration(perBucket)
	i := 0
	observe := func() {
		a := (i * 7919) % benchAccounts
		ev.t = t0.Add(time.Duration(i) * step)
		ev.acct = accts[a]
		ev.target = targets[(a*13+(i/benchAccounts)%20)%len(targets)]
		if i%1000 == 999 {
			ev.target = fresh[(i/1000)%len(fresh)]
		}
		if _, err := e.Observe(ev); err != nil {
			b.Fatal(err)
		}
		i++
	}
	for i < 30*perBucket { // warm-up: 30 buckets, past the rare learning minimum
		observe()
	}
	runtime.GC()
	runtime.ReadMemStats(&ms1)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for n := 0; n < b.N; n++ {
		observe()
	}
	b.StopTimer()
	reportRate(b, cpu0, "events")
	b.ReportMetric(float64(e.ModelSizeStats().ModelBytes)/benchAccounts, "model-bytes/entity")
	b.ReportMetric(float64(int64(ms1.HeapAlloc)-int64(ms0.HeapAlloc))/benchAccounts, "heap-bytes/entity")
}

// BenchmarkRareOver2000: rare by target over account.
func BenchmarkRareOver2000(b *testing.B) {
	benchAccountJob(b, Detector{Function: "rare", ByFieldName: "target", OverFieldName: "account"})
}

// BenchmarkFreqRareOver2000: freq_rare by target over account.
func BenchmarkFreqRareOver2000(b *testing.B) {
	benchAccountJob(b, Detector{Function: "freq_rare", ByFieldName: "target", OverFieldName: "account"})
}

// BenchmarkRarePartition2000: rare by target partitioned by account.
func BenchmarkRarePartition2000(b *testing.B) {
	benchAccountJob(b, Detector{Function: "rare", ByFieldName: "target", PartitionFieldName: "account"})
}

// BenchmarkCountOver2000 is a population peer: high_count over account.
func BenchmarkCountOver2000(b *testing.B) {
	benchAccountJob(b, Detector{Function: "high_count", OverFieldName: "account"})
}

// BenchmarkCountPartition2000 is the per-entity count peer on the same
// stream: count partitioned by account.
func BenchmarkCountPartition2000(b *testing.B) {
	benchAccountJob(b, Detector{Function: "count", PartitionFieldName: "account"})
}
