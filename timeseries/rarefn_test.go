package timeseries

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// procStream: hosts run a fixed set of processes all day for days; at
// bucket newAt host h3 runs a process it never ran ("mimikatz.exe"), and a
// brand-new host "fresh" appears with its own processes.
func procStream(hosts, days, newAt int, seed uint64) []*testEvent {
	r := rand.New(rand.NewPCG(seed, 11))
	procs := []string{"svchost.exe", "explorer.exe", "chrome.exe", "outlook.exe", "teams.exe", "onedrive.exe", "lsass.exe", "winlogon.exe"}
	var evs []*testEvent
	span := 10 * time.Minute
	n := days * 144
	for b := 0; b < n; b++ {
		for h := 0; h < hosts; h++ {
			host := "h" + strconv.Itoa(h)
			for _, p := range procs {
				if r.Float64() < 0.5 {
					evs = append(evs, &testEvent{t: t0.Add(time.Duration(b)*span + time.Duration(r.Int64N(int64(span)))), strs: map[string]string{"host.name": host, "process.name": p, "user.name": "u" + strconv.Itoa(h)}})
				}
			}
			if b%144 == 100 && (b < 144 || r.Float64() < 0.8) { // a daily updater, on most days
				evs = append(evs, &testEvent{t: t0.Add(time.Duration(b) * span), strs: map[string]string{"host.name": host, "process.name": "updater.exe", "user.name": "u" + strconv.Itoa(h)}})
			}
		}
		if b == newAt { // ten launches: one value for rare, ten interactions for freq_rare
			for i := 0; i < 10; i++ {
				evs = append(evs, &testEvent{t: t0.Add(time.Duration(b)*span + time.Minute + time.Duration(i)*time.Second), strs: map[string]string{"host.name": "h3", "process.name": "mimikatz.exe", "user.name": "u3"}})
			}
		}
		if b >= newAt && b < newAt+3 {
			for _, p := range []string{"python.exe", "bash.exe", "sshd.exe"} {
				evs = append(evs, &testEvent{t: t0.Add(time.Duration(b)*span + 2*time.Minute), strs: map[string]string{"host.name": "fresh", "process.name": p, "user.name": "dev"}})
			}
		}
	}
	sortEvents(evs)
	return evs
}

func TestRare(t *testing.T) {
	days := 14
	if raceEnabled {
		days = 8
	}
	newAt := days*144 - 20
	evs := procStream(12, days, newAt, 2)
	for _, d := range []Detector{
		{Function: "rare", ByFieldName: "process.name", PartitionFieldName: "host.name"},
		{Function: "rare", ByFieldName: "process.name", OverFieldName: "host.name"},
		{Function: "freq_rare", ByFieldName: "process.name", OverFieldName: "host.name"},
	} {
		e, err := New(Job{BucketSpan: 10 * time.Minute, Detectors: []Detector{d}, Influencers: []string{"host.name", "user.name"}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := runAll(e, evs)
		if err != nil {
			t.Fatal(err)
		}
		entity := func(r *Record) string {
			if r.OverFieldValue != "" {
				return r.OverFieldValue
			}
			return r.PartitionFieldValue
		}
		var hit, fresh, other float64
		var otherWhat string
		for _, br := range res {
			for i := range br.Records {
				r := &br.Records[i]
				switch {
				case entity(r) == "h3" && r.ByFieldValue == "mimikatz.exe":
					hit = max(hit, r.RecordScore)
					if r.Actual != 1 && d.Function == "rare" || r.Typical != r.Probability {
						t.Errorf("%s record actual %v typical %v probability %v", d.Function, r.Actual, r.Typical, r.Probability)
					}
					if d.OverFieldName != "" && (len(r.Causes) == 0 || r.Causes[0].ByFieldValue != "mimikatz.exe") {
						t.Errorf("%s causes %+v", d.Function, r.Causes)
					}
				case entity(r) == "fresh":
					fresh = max(fresh, r.RecordScore)
				case br.Timestamp.Before(t0.Add(48 * time.Hour)):
					// the first days: everything is a first occurrence
				default:
					if r.RecordScore > other {
						other, otherWhat = r.RecordScore, entity(r)+" "+r.ByFieldValue+" "+br.Timestamp.Format(time.RFC3339)
					}
				}
			}
		}
		t.Logf("%s by %s over %q partition %q: new process on an old host %.1f, new host %.1f, others ≤ %.1f (%s)",
			d.Function, d.ByFieldName, d.OverFieldName, d.PartitionFieldName, hit, fresh, other, otherWhat)
		if hit < 75 {
			t.Errorf("%s: the first mimikatz.exe on h3 scored %.1f, want ≥ 75", d.Function, hit)
		}
		if fresh >= 25 {
			t.Errorf("%s: a brand-new host's first processes scored %.1f, want < 25", d.Function, fresh)
		}
		if other >= 50 {
			t.Errorf("%s: routine processes scored %.1f (%s), want < 50", d.Function, other, otherWhat)
		}
	}
}
