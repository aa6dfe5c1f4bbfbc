package timeseries

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// seasonalValue is the generating process of the forecast test: a daily
// cycle, quieter weekends, and noise (Gaussian for the metric, Poisson for
// the count).
func seasonalMean(ts time.Time) float64 {
	h := float64(ts.Hour()) + float64(ts.Minute())/60
	m := 100 + 30*math.Sin(2*math.Pi*(h-6)/24)
	if wd := ts.Weekday(); wd == time.Saturday || wd == time.Sunday {
		m -= 25
	}
	return m
}

// TestForecastCoverage is the figure: the 95% bounds of a forecast
// cover 95% ± 3% of a held-back week of a seasonal series. Four weeks of
// 15-minute buckets are learnt, the fifth is forecast; coverage is pooled
// over 5 seeds (3,360 buckets per function, standard error 0.4%).
func TestForecastCoverage(t *testing.T) {
	const span = 15 * time.Minute
	const learnWeeks, seeds = 4, 5
	for _, c := range []struct {
		name string
		det  Detector
		draw func(r *rand.Rand, mu float64) float64
	}{
		{"mean", Detector{Function: "mean", FieldName: "v"}, func(r *rand.Rand, mu float64) float64 { return mu + 6*r.NormFloat64() }},
		{"count", Detector{Function: "count"}, func(r *rand.Rand, mu float64) float64 { return float64(poisson(r, mu/2)) }},
	} {
		var in, n int
		var width float64
		for seed := uint64(1); seed <= seeds; seed++ {
			job := Job{BucketSpan: span, Detectors: []Detector{c.det}}
			if c.name == "count" {
				job.SummaryCountField = "n"
			}
			e, err := New(job)
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(seed, 99))
			nb := int(learnWeeks * 7 * 24 * time.Hour / span)
			for b := 0; b < nb; b++ {
				ts := t0.Add(time.Duration(b) * span)
				v := c.draw(r, seasonalMean(ts))
				ev := &testEvent{t: ts.Add(time.Minute), nums: map[string]float64{"v": v, "n": v}}
				if c.name == "count" && v == 0 {
					continue // no event: an empty bucket is a zero count
				}
				if _, err := e.Observe(ev); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := e.Flush(); err != nil {
				t.Fatal(err)
			}
			fc, err := e.Forecast(7 * 24 * time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if want := int(7 * 24 * time.Hour / span); len(fc) != want {
				t.Fatalf("%s: %d forecast buckets, want %d", c.name, len(fc), want)
			}
			for k, p := range fc {
				if want := t0.Add(time.Duration(nb+k) * span); !p.Timestamp.Equal(want) {
					t.Fatalf("%s: point %d at %s, want %s", c.name, k, p.Timestamp, want)
				}
				v := c.draw(r, seasonalMean(p.Timestamp))
				if v >= p.Lower && v <= p.Upper {
					in++
				}
				n++
				width += p.Upper - p.Lower
			}
		}
		cov := float64(in) / float64(n)
		t.Logf("%s: forecast coverage of the held-back week %.3f over %d buckets (%d seeds), mean width %.1f", c.name, cov, n, seeds, width/float64(n))
		if math.Abs(cov-0.95) > 0.03 {
			t.Errorf("%s: coverage %.3f, want 0.95 ± 0.03", c.name, cov)
		}
	}
}

func TestForecastErrors(t *testing.T) {
	hourly := func(e *Engine, hours int) {
		t.Helper()
		for h := 0; h < hours; h++ {
			for k := 0; k < 5; k++ {
				ev := &testEvent{t: t0.Add(time.Duration(h)*time.Hour + time.Duration(k)*time.Minute),
					strs: map[string]string{"user": "u1", "proc": "p" + string(rune('a'+k))}, nums: map[string]float64{"v": float64(k)}}
				if _, err := e.Observe(ev); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := e.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(dets ...Detector) *Engine {
		e, err := New(Job{BucketSpan: time.Hour, Detectors: dets})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	for _, c := range []struct {
		name  string
		e     *Engine
		hours int
		dur   time.Duration
		want  string
	}{
		{"population", mk(Detector{Function: "count", OverFieldName: "user"}), 48, 0, "population analysis"},
		{"rare only", mk(Detector{Function: "rare", ByFieldName: "proc"}), 48, 0, "none of the job's functions (rare)"},
		{"time only", mk(Detector{Function: "time_of_day", ByFieldName: "user"}), 48, 0, "can be forecast"},
		{"no data", mk(Detector{Function: "count"}), 0, 0, "no data"},
		{"too long", mk(Detector{Function: "count"}), 48, 49 * time.Hour, "longer than the job's history of 48h"},
		{"short history", mk(Detector{Function: "count"}), 1, time.Hour, "insufficient history"},
		{"negative", mk(Detector{Function: "count"}), 48, -time.Hour, "must be positive"},
	} {
		c := c
		hourly(c.e, c.hours)
		_, err := c.e.Forecast(c.dur)
		if err == nil || !errors.Is(err, ErrForecast) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want ErrForecast containing %q", c.name, err, c.want)
		}
	}
	// A mixed job forecasts its count detector and skips rare; the
	// horizon may reach the history's length exactly; state is unchanged.
	e := mk(Detector{Function: "rare", ByFieldName: "proc"}, Detector{Function: "mean", FieldName: "v", ByFieldName: "user"})
	hourly(e, 48)
	before, _ := e.MarshalBinary()
	fc, err := e.Forecast(48 * time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := e.MarshalBinary()
	if string(before) != string(after) {
		t.Error("Forecast changed the job's state")
	}
	if len(fc) != 48 || fc[0].DetectorIndex != 1 || fc[0].ByFieldValue != "u1" || !fc[0].Timestamp.Equal(t0.Add(48*time.Hour)) {
		t.Fatalf("mixed job: %d points, first %+v", len(fc), fc[0])
	}
	var doc map[string]any
	if err := json.Unmarshal(fc[0].AppendJSON(nil), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"job_id", "forecast_id", "result_type", "timestamp", "bucket_span", "detector_index", "by_field_value", "forecast_prediction", "forecast_lower", "forecast_upper", "model_feature"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("model_forecast document lacks %q: %v", k, doc)
		}
	}
	if doc["result_type"] != "model_forecast" || doc["forecast_prediction"].(float64) != fc[0].Prediction {
		t.Errorf("document %v", doc)
	}
}
