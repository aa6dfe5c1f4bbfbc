package timeseries

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigil-ml/vigil/internal/codec"
)

func TestFilterMatch(t *testing.T) {
	m := compileFilter([]string{"svc-*", "*.internal", "*admin*", "root"})
	for _, c := range []struct {
		v    string
		want bool
	}{
		{"svc-batch", true}, {"svc-", true}, {"xsvc-batch", false},
		{"db.internal", true}, {"db.internal.x", false},
		{"sysadmin2", true}, {"admin", true},
		{"root", true}, {"roots", false}, {"", false},
	} {
		if got := m.match(c.v); got != c.want {
			t.Errorf("match(%q) = %v, want %v", c.v, got, c.want)
		}
	}
	if all := compileFilter([]string{"*"}); !all.match("") || !all.match("anything") {
		t.Error(`"*" must match every value`)
	}
}

const rulesJobJSON = `{
  "job_id": "lookups",
  "analysis_config": {
    "bucket_span": "1h",
    "detectors": [{
      "function": "high_count", "by_field_name": "user.name",
      "custom_rules": [
        {"actions": ["skip_result", "skip_model_update"],
         "scope": {"user.name": {"filter_id": "service_accounts", "filter_type": "include"}}},
        {"conditions": [{"applies_to": "actual", "operator": "lt", "value": 5},
                        {"applies_to": "diff_from_typical", "operator": "lte", "value": 3}]},
        {"actions": ["skip_model_update"], "scope": {"user.name": {"filter_id": "service_accounts", "filter_type": "exclude"}},
         "conditions": [{"applies_to": "time", "operator": "gte", "value": 1772409600}]}
      ]}]
  },
  "filters": [{"filter_id": "service_accounts", "description": "batch users", "items": ["svc-*", "backup"]}],
  "calendars": [{"calendar_id": "month-end", "job_ids": ["lookups"], "events": [
    {"description": "batch", "start_time": 1772409600000, "end_time": 1772420400000},
    {"description": "audit", "start_time": "2026-03-03T00:00:00Z", "end_time": "2026-03-03T02:00:00Z", "skip_model_update": false}]}]
}`

func TestRulesFromElasticJSON(t *testing.T) {
	job, err := ParseElasticJSON(strings.NewReader(rulesJobJSON))
	if err != nil {
		t.Fatal(err)
	}
	want := []Rule{
		{Actions: []string{"skip_result", "skip_model_update"}, Scope: []RuleScope{{FieldName: "user.name", FilterID: "service_accounts"}}},
		{Conditions: []RuleCondition{{"actual", "lt", 5}, {"diff_from_typical", "lte", 3}}},
		{Actions: []string{"skip_model_update"}, Scope: []RuleScope{{FieldName: "user.name", FilterID: "service_accounts", Exclude: true}},
			Conditions: []RuleCondition{{"time", "gte", 1772409600}}},
	}
	if got := job.Detectors[0].Rules; !reflect.DeepEqual(got, want) {
		t.Errorf("rules\n got %+v\nwant %+v", got, want)
	}
	if f := job.Filters; len(f) != 1 || f[0].ID != "service_accounts" || !reflect.DeepEqual(f[0].Items, []string{"svc-*", "backup"}) {
		t.Errorf("filters %+v", f)
	}
	cal := job.Calendars
	if len(cal) != 1 || cal[0].ID != "month-end" || len(cal[0].Events) != 2 {
		t.Fatalf("calendars %+v", cal)
	}
	ev := cal[0].Events
	if !ev[0].Start.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) || !ev[0].End.Equal(time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)) ||
		ev[0].KeepResults || ev[0].UpdateModel {
		t.Errorf("event 0 %+v", ev[0])
	}
	if !ev[1].Start.Equal(time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)) || ev[1].KeepResults || !ev[1].UpdateModel {
		t.Errorf("event 1 %+v", ev[1])
	}
}

func TestRulesJSONErrors(t *testing.T) {
	det := func(rules string) string {
		return `{"analysis_config":{"detectors":[{"function":"count","by_field_name":"u","partition_field_name":"p","custom_rules":` + rules + `}]},
		"filters":[{"filter_id":"f","items":["a"]}]}`
	}
	for _, c := range []struct {
		name, js, want string
		kind           error
	}{
		{"force_time_shift", det(`[{"actions":["force_time_shift"],"conditions":[{"applies_to":"time","operator":"gt","value":1}]}]`), "force_time_shift", ErrUnsupported},
		{"unknown action", det(`[{"actions":["alert"],"conditions":[{"applies_to":"actual","operator":"gt","value":1}]}]`), `actions[0] "alert"`, ErrConfig},
		{"empty rule", det(`[{"actions":["skip_result"]}]`), "scope or at least one condition", ErrConfig},
		{"bad operator", det(`[{"conditions":[{"applies_to":"actual","operator":"eq","value":1}]}]`), `conditions[0].operator "eq"`, ErrConfig},
		{"bad applies_to", det(`[{"conditions":[{"applies_to":"score","operator":"gt","value":1}]}]`), `applies_to "score"`, ErrConfig},
		{"missing value", det(`[{"conditions":[{"applies_to":"actual","operator":"gt"}]}]`), "value is missing", ErrConfig},
		{"unknown condition field", det(`[{"conditions":[{"applies_to":"actual","operator":"gt","value":1,"unit":"s"}]}]`), "conditions[0].unit", ErrUnsupported},
		{"unknown rule field", det(`[{"params":{},"conditions":[{"applies_to":"actual","operator":"gt","value":1}]}]`), "custom_rules[0].params", ErrUnsupported},
		{"scope not a detector field", det(`[{"scope":{"host":{"filter_id":"f"}}}]`), `scope field "host"`, ErrConfig},
		{"unknown filter", det(`[{"scope":{"u":{"filter_id":"nope"}}}]`), `filter_id "nope" is not a known filter`, ErrConfig},
		{"bad filter type", det(`[{"scope":{"u":{"filter_id":"f","filter_type":"only"}}}]`), `filter_type "only"`, ErrConfig},
		{"rare actual", `{"analysis_config":{"detectors":[{"function":"rare","by_field_name":"u","custom_rules":[{"conditions":[{"applies_to":"actual","operator":"gt","value":1}]}]}]}}`,
			"only supports conditions that apply to time", ErrConfig},
		{"duplicate filter", `{"analysis_config":{"detectors":[{"function":"count"}]},"filters":[{"filter_id":"f","items":["a"]},{"filter_id":"f","items":["b"]}]}`, "repeats", ErrConfig},
		{"filter unknown field", `{"analysis_config":{"detectors":[{"function":"count"}]},"filters":[{"filter_id":"f","items":["a"],"owner":"x"}]}`, "filters[0].owner", ErrUnsupported},
		{"event ends first", `{"analysis_config":{"detectors":[{"function":"count"}]},"calendars":[{"calendar_id":"c","events":[{"start_time":2000,"end_time":1000}]}]}`, "must be after", ErrConfig},
		{"event without end", `{"analysis_config":{"detectors":[{"function":"count"}]},"calendars":[{"calendar_id":"c","events":[{"start_time":2000}]}]}`, "required", ErrConfig},
		{"event time shift", `{"analysis_config":{"detectors":[{"function":"count"}]},"calendars":[{"calendar_id":"c","events":[{"start_time":1000,"end_time":2000,"force_time_shift":3600}]}]}`, "force_time_shift", ErrUnsupported},
		{"event bad time", `{"analysis_config":{"detectors":[{"function":"count"}]},"calendars":[{"calendar_id":"c","events":[{"start_time":"tomorrow","end_time":2000}]}]}`, "start_time", ErrConfig},
	} {
		_, err := ParseElasticJSON(strings.NewReader(c.js))
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, c.kind) {
			t.Errorf("%s: err %v, want %v containing %q", c.name, err, c.kind, c.want)
		}
	}
}

// lookupEvents makes hourly lookups of two users over days, a daily cycle
// around mu, with mult scaling a user's rate in an hour.
func lookupEvents(days int, seed uint64, mult func(h int, user string) float64) []*testEvent {
	r := rand.New(rand.NewPCG(seed, 7))
	var evs []*testEvent
	for h := 0; h < days*24; h++ {
		for _, u := range []string{"alice", "svc-batch"} {
			mu := 20 + 10*math.Sin(2*math.Pi*float64(h%24)/24)
			k := poisson(r, mu*mult(h, u))
			for i := 0; i < k; i++ {
				ts := t0.Add(time.Duration(h)*time.Hour + time.Duration(i)*time.Hour/time.Duration(k+1))
				evs = append(evs, &testEvent{t: ts, strs: map[string]string{"user.name": u}})
			}
		}
	}
	sortEvents(evs)
	return evs
}

// recordsAt returns the records per user of the buckets in [from, to) hours.
func recordsAt(res []BucketResult, from, to int) map[string][]Record {
	out := map[string][]Record{}
	for _, b := range res {
		h := int(b.Timestamp.Sub(t0) / time.Hour)
		if h < from || h >= to {
			continue
		}
		for _, r := range b.Records {
			out[r.ByFieldValue] = append(out[r.ByFieldValue], r)
		}
	}
	return out
}

func maxScore(rs []Record) float64 {
	m := 0.0
	for _, r := range rs {
		m = math.Max(m, r.RecordScore)
	}
	return m
}

func TestRulesSuppressAndSkipUpdate(t *testing.T) {
	const days, spikeDay = 14, 10
	spikeAt := spikeDay*24 + 10
	evs := lookupEvents(days, 1, func(h int, _ string) float64 {
		if h >= spikeAt && h < spikeAt+3 {
			return 15
		}
		return 1
	})
	base := Job{BucketSpan: time.Hour, Detectors: []Detector{{Function: "high_count", ByFieldName: "user.name"}},
		Filters: []Filter{{ID: "svc", Items: []string{"svc-*"}}}}
	run := func(rules []Rule, cals []Calendar) []BucketResult {
		t.Helper()
		j := base
		j.Detectors = []Detector{base.Detectors[0]}
		j.Detectors[0].Rules = rules
		j.Calendars = cals
		e, err := New(j)
		if err != nil {
			t.Fatal(err)
		}
		res, err := runAll(e, evs)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	plain := recordsAt(run(nil, nil), spikeAt, spikeAt+3)
	if maxScore(plain["alice"]) < 50 || maxScore(plain["svc-batch"]) < 50 {
		t.Fatalf("without rules both spikes should score ≥ 50: alice %.1f svc %.1f", maxScore(plain["alice"]), maxScore(plain["svc-batch"]))
	}
	// Scope: the service account's results are skipped, alice's kept.
	scoped := recordsAt(run([]Rule{{Scope: []RuleScope{{FieldName: "user.name", FilterID: "svc"}}}}, nil), spikeAt, spikeAt+3)
	if len(scoped["svc-batch"]) != 0 || maxScore(scoped["alice"]) != maxScore(plain["alice"]) {
		t.Errorf("include scope: svc records %d (want 0), alice %.1f (want %.1f)", len(scoped["svc-batch"]), maxScore(scoped["alice"]), maxScore(plain["alice"]))
	}
	excl := recordsAt(run([]Rule{{Scope: []RuleScope{{FieldName: "user.name", FilterID: "svc", Exclude: true}}}}, nil), spikeAt, spikeAt+3)
	if len(excl["alice"]) != 0 || len(excl["svc-batch"]) == 0 {
		t.Errorf("exclude scope: alice records %d (want 0), svc %d (want >0)", len(excl["alice"]), len(excl["svc-batch"]))
	}
	// Conditions: a threshold above the spike keeps everything, below it skips.
	hi := recordsAt(run([]Rule{{Conditions: []RuleCondition{{"actual", "lt", 1000}, {"diff_from_typical", "gt", 30}}}}, nil), spikeAt, spikeAt+3)
	if len(hi) != 0 {
		t.Errorf("actual < 1000 AND diff > 30 should skip the spikes, got %d users", len(hi))
	}
	lo := recordsAt(run([]Rule{{Conditions: []RuleCondition{{"actual", "lt", 1000}, {"typical", "gt", 1e6}}}}, nil), spikeAt, spikeAt+3)
	if maxScore(lo["alice"]) != maxScore(plain["alice"]) {
		t.Errorf("an unmet AND condition must not skip: alice %.1f want %.1f", maxScore(lo["alice"]), maxScore(plain["alice"]))
	}
	// Time conditions: only the spike's first two hours are skipped.
	from := float64(t0.Add(time.Duration(spikeAt) * time.Hour).Unix())
	timed := recordsAt(run([]Rule{{Conditions: []RuleCondition{{"time", "gte", from}, {"time", "lt", from + 7200}}}}, nil), spikeAt, spikeAt+3)
	for _, r := range timed["alice"] {
		if r.Timestamp.Before(t0.Add(time.Duration(spikeAt+2) * time.Hour)) {
			t.Errorf("time condition: record at %s inside the skipped hours", r.Timestamp)
		}
	}
	if len(timed["alice"]) == 0 {
		t.Error("time condition: the spike's third hour should still be reported")
	}
	// Calendar: the event's buckets (rounded out to the span) have no records
	// and score 0; the bucket results are still written.
	cal := []Calendar{{ID: "c", Events: []ScheduledEvent{{Start: t0.Add(time.Duration(spikeAt)*time.Hour + 20*time.Minute),
		End: t0.Add(time.Duration(spikeAt+2)*time.Hour + 10*time.Minute)}}}}
	cres := run(nil, cal)
	in := 0
	for _, b := range cres {
		h := int(b.Timestamp.Sub(t0) / time.Hour)
		if h >= spikeAt && h < spikeAt+3 {
			in++
			if len(b.Records) != 0 || b.AnomalyScore != 0 {
				t.Errorf("bucket %s inside the event: %d records, score %.1f", b.Timestamp, len(b.Records), b.AnomalyScore)
			}
		}
	}
	if in != 3 {
		t.Errorf("%d bucket results in the event, want 3", in)
	}
}

// A sustained shift is adopted as the new normal unless a
// skip_model_update rule keeps the model from learning it.
func TestRuleSkipModelUpdate(t *testing.T) {
	const days = 14
	shiftAt := 9 * 24
	evs := lookupEvents(days, 2, func(h int, u string) float64 {
		if u == "alice" && h >= shiftAt {
			return 6
		}
		return 1
	})
	run := func(rules []Rule) map[string][]Record {
		e, err := New(Job{BucketSpan: time.Hour, Detectors: []Detector{{Function: "high_count", ByFieldName: "user.name", Rules: rules}}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := runAll(e, evs)
		if err != nil {
			t.Fatal(err)
		}
		return recordsAt(res, days*24-48, days*24) // the last two days
	}
	learnt := run(nil)
	frozen := run([]Rule{{Actions: []string{"skip_model_update"}, Conditions: []RuleCondition{{"actual", "gt", 50}}}})
	if len(learnt["alice"]) > 4 {
		t.Errorf("without the rule the shift should be learnt: %d records in the last two days", len(learnt["alice"]))
	}
	if len(frozen["alice"]) < 20 {
		t.Fatalf("with skip_model_update the shift stays anomalous: %d records in the last two days, want ≥ 20", len(frozen["alice"]))
	}
	for _, r := range frozen["alice"] {
		if r.Typical > 40 {
			t.Errorf("typical %.1f at %s: the model learnt buckets the rule skipped", r.Typical, r.Timestamp)
			break
		}
	}
}

func TestRulesSnapshot(t *testing.T) {
	job, err := ParseElasticJSON(strings.NewReader(rulesJobJSON))
	if err != nil {
		t.Fatal(err)
	}
	evs := lookupEvents(5, 3, func(h int, _ string) float64 { return 1 + 5*float64(h%50/49) })
	straight, _ := New(job)
	want, err := runAll(straight, evs)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := New(job)
	half := len(evs) / 2
	got, err := runAll2(first, evs[:half])
	if err != nil {
		t.Fatal(err)
	}
	snap, err := first.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var restored Engine
	if err := restored.UnmarshalBinary(snap); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(restored.Job().Detectors[0].Rules, job.Detectors[0].Rules) || !reflect.DeepEqual(restored.Job().Calendars, job.Calendars) {
		t.Fatalf("restored job lost its rules or calendars")
	}
	rest, err := runAll(&restored, evs[half:])
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, rest...)
	if len(got) != len(want) {
		t.Fatalf("%d buckets after restore, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i].Records, want[i].Records) {
			t.Fatalf("bucket %s differs after restore", want[i].Timestamp)
		}
	}
}

// runAll2 feeds events without flushing.
func runAll2(e *Engine, evs []*testEvent) ([]BucketResult, error) {
	var all []BucketResult
	for _, ev := range evs {
		res, err := e.Observe(ev)
		if err != nil {
			return nil, err
		}
		all = append(all, res...)
	}
	return all, nil
}

func TestAddCalendar(t *testing.T) {
	e, err := New(Job{BucketSpan: time.Hour, Detectors: []Detector{{Function: "count"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.AddCalendar(Calendar{ID: "x", Events: []ScheduledEvent{{Start: t0, End: t0}}}); err == nil {
		t.Error("an empty event must be refused")
	}
	if err := e.AddCalendar(Calendar{ID: "x", Events: []ScheduledEvent{{Start: t0, End: t0.Add(time.Minute)}}}); err != nil {
		t.Fatal(err)
	}
	if s, u := e.calendarEffect(t0.UnixMilli()); !s || !u {
		t.Errorf("bucket at the event: skip result %v, skip update %v", s, u)
	}
	if s, _ := e.calendarEffect(t0.Add(time.Hour).UnixMilli()); s {
		t.Error("the next bucket is outside the event")
	}
	if got := len(e.Job().Calendars); got != 1 {
		t.Errorf("Job has %d calendars", got)
	}
}

// A scheduled event keeps rare (an extension detector) from learning: a
// value first used during the event is still new after it.
func TestCalendarRare(t *testing.T) {
	run := func(cal []Calendar) (during, after float64) {
		e, err := New(Job{BucketSpan: time.Hour, Detectors: []Detector{{Function: "rare", ByFieldName: "proc"}}, Calendars: cal})
		if err != nil {
			t.Fatal(err)
		}
		var evs []*testEvent
		for h := 0; h < 400; h++ {
			v := []string{"a", "b", "c"}[h%3]
			if h == 300 || h == 350 {
				v = "zzz"
			}
			evs = append(evs, &testEvent{t: t0.Add(time.Duration(h) * time.Hour), strs: map[string]string{"proc": v}})
		}
		res, err := runAll(e, evs)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range res {
			for _, r := range b.Records {
				if r.ByFieldValue != "zzz" {
					continue
				}
				switch b.Timestamp {
				case t0.Add(300 * time.Hour):
					during = r.RecordScore
				case t0.Add(350 * time.Hour):
					after = r.RecordScore
				}
			}
		}
		return during, after
	}
	d0, a0 := run(nil)
	d1, a1 := run([]Calendar{{ID: "c", Events: []ScheduledEvent{{Start: t0.Add(300 * time.Hour), End: t0.Add(301 * time.Hour)}}}})
	t.Logf("without calendar: first use %.1f, second %.1f; with: first %.1f, second %.1f", d0, a0, d1, a1)
	if d0 < 25 || d1 != 0 {
		t.Errorf("first use scored %.1f without the calendar (want ≥ 25) and %.1f with it (want 0)", d0, d1)
	}
	if !(a1 > a0) || a1 < d0-10 {
		t.Errorf("second use scored %.1f with the calendar, want above %.1f (without) and near %.1f (a first use)", a1, a0, d0)
	}
}

// FuzzRulesSnapshot: snapshots of a job with rules, filters and calendars
// restore or fail with ErrCorrupt, never panic.
func FuzzRulesSnapshot(f *testing.F) {
	job, err := ParseElasticJSON(strings.NewReader(rulesJobJSON))
	if err != nil {
		f.Fatal(err)
	}
	e, _ := New(job)
	for _, ev := range lookupEvents(1, 4, func(int, string) float64 { return 1 }) {
		e.Observe(ev)
	}
	snap, _ := e.MarshalBinary()
	f.Add(snap[6 : len(snap)-4])
	f.Fuzz(func(t *testing.T, payload []byte) {
		var z Engine
		if err := z.UnmarshalBinary(codec.Seal(snapMagic, snapVersion, payload)); err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
			return
		}
		z.Observe(&testEvent{t: time.UnixMilli(z.latest).Add(10 * time.Minute), strs: map[string]string{"user.name": "svc-x"}})
		z.Flush()
		if _, err := z.MarshalBinary(); err != nil {
			t.Fatal(err)
		}
	})
}

// skip_model_update on a time_of_day detector (an extension detector):
// a new habit is adopted without the rule and stays anomalous with it.
func TestRuleSkipModelUpdateTimeOfDay(t *testing.T) {
	const shiftDay = 20
	var evs []*testEvent
	for d := 0; d < 34; d++ {
		hour := 12
		if d >= shiftDay {
			hour = 3
		}
		for k := 0; k < 5; k++ {
			evs = append(evs, &testEvent{t: t0.Add(time.Duration(d*24+hour)*time.Hour + time.Duration(k*7)*time.Minute),
				strs: map[string]string{"user": "u"}})
		}
	}
	shift := float64(t0.Add(shiftDay * 24 * time.Hour).Unix())
	run := func(rules []Rule) float64 {
		e, err := New(Job{BucketSpan: time.Hour, Detectors: []Detector{{Function: "time_of_day", ByFieldName: "user", Rules: rules}}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := runAll(e, evs)
		if err != nil {
			t.Fatal(err)
		}
		top := 0.0
		for _, b := range res {
			if b.Timestamp.Before(t0.Add(30 * 24 * time.Hour)) {
				continue
			}
			for _, r := range b.Records {
				top = math.Max(top, r.RecordScore)
			}
		}
		return top
	}
	learnt := run(nil)
	frozen := run([]Rule{{Actions: []string{"skip_model_update"}, Conditions: []RuleCondition{{"time", "gte", shift}}}})
	t.Logf("03:00 habit after ten days: top score %.1f learnt, %.1f with skip_model_update", learnt, frozen)
	if !(frozen >= 50 && frozen > learnt+20) {
		t.Errorf("with skip_model_update the new habit should stay anomalous: %.1f (learnt: %.1f)", frozen, learnt)
	}
}
