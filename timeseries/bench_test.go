package timeseries

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// flatEvent is an accessor event of the kind a service would write: fixed
// fields, no maps.
type flatEvent struct {
	t    time.Time
	host string
}

func (e *flatEvent) Time() time.Time { return e.t }
func (e *flatEvent) Text(f string) (string, bool) {
	if f == "host" {
		return e.host, true
	}
	return "", false
}
func (e *flatEvent) Number(string) (float64, bool) { return 0, false }

const benchEntities = 100_000

// eventsPerBucket: five events per entity per 5-minute bucket.
const eventsPerBucket = 5 * benchEntities

func benchNames() []string {
	names := make([]string, benchEntities)
	for i := range names {
		names[i] = fmt.Sprintf("host-%06d", i)
	}
	return names
}

func benchJob() Job {
	return Job{ID: "bench", Detectors: []Detector{{Function: "count", PartitionFieldName: "host"}}}
}

// BenchmarkCountPartitioned100k: a count job partitioned over 100,000
// entities, events through an accessor interface. The reported
// bytes/entity are the accounted model bytes and the Go heap per entity.
func BenchmarkCountPartitioned100k(b *testing.B) {
	names := benchNames()
	e, _ := New(benchJob())
	ev := &flatEvent{}
	step := 5 * time.Minute / eventsPerBucket
	// Warm up: two days, so that every entity exists and bucket closes run
	// the models, not their start-up.
	var ms0 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	i := 0
	observe := func() {
		ev.t = t0.Add(time.Duration(i) * step)
		ev.host = names[(i*7919)%benchEntities]
		if _, err := e.Observe(ev); err != nil {
			b.Fatal(err)
		}
		i++
	}
	for i < 2*eventsPerBucket {
		observe()
	}
	runtime.GC()
	var ms1 runtime.MemStats
	runtime.ReadMemStats(&ms1)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for n := 0; n < b.N; n++ {
		observe()
	}
	b.StopTimer()
	reportRate(b, cpu0, "events")
	b.ReportMetric(float64(e.bytes)/benchEntities, "model-bytes/entity")
	b.ReportMetric(float64(int64(ms1.HeapAlloc)-int64(ms0.HeapAlloc))/benchEntities, "heap-bytes/entity")
}

// BenchmarkCountPartitioned100kMap is the same job fed MapEvents.
func BenchmarkCountPartitioned100kMap(b *testing.B) {
	names := benchNames()
	e, _ := New(benchJob())
	ev := &MapEvent{Strings: map[string]string{"host": ""}}
	step := 5 * time.Minute / eventsPerBucket
	i := 0
	observe := func() {
		ev.Timestamp = t0.Add(time.Duration(i) * step)
		ev.Strings["host"] = names[(i*7919)%benchEntities]
		if _, err := e.Observe(ev); err != nil {
			b.Fatal(err)
		}
		i++
	}
	for i < 2*eventsPerBucket {
		observe()
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for n := 0; n < b.N; n++ {
		observe()
	}
	b.StopTimer()
	reportRate(b, cpu0, "events")
}

func ecsLines() ([]byte, int) {
	var buf bytes.Buffer
	const lines = 10000
	for i := 0; i < lines; i++ {
		fmt.Fprintf(&buf, `{"@timestamp":"2026-03-02T10:%02d:%02d.123Z","event":{"category":"network","action":"connection"},"source":{"ip":"10.0.%d.%d","port":%d},"destination.ip":"192.168.1.%d","destination":{"port":22},"network.bytes":%d,"message":"accepted connection from peer"}`+"\n",
			i/60%60, i%60, i/256%256, i%256, 40000+i%1000, i%200, 100+i%9000)
	}
	return buf.Bytes(), lines
}

// BenchmarkNDJSONDecode measures the NDJSON reader alone on ECS documents
// with nested and dotted keys.
func BenchmarkNDJSONDecode(b *testing.B) {
	data, lines := ecsLines()
	job := Job{Detectors: []Detector{{Function: "sum", FieldName: "network.bytes", ByFieldName: "destination.port", PartitionFieldName: "destination.ip"}},
		Influencers: []string{"source.ip"}}
	fields := []string{"network.bytes", "destination.port", "destination.ip", "source.ip", "event.category"}
	b.SetBytes(int64(len(data) / lines))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuSeconds()
	n := 0
	for n < b.N {
		rd, _ := NewNDJSONReader(bytes.NewReader(data), job, fields)
		for n < b.N {
			ev, err := rd.Next()
			if err != nil {
				break
			}
			if _, ok := ev.Number("network.bytes"); !ok {
				b.Fatal("no bytes")
			}
			n++
		}
	}
	b.StopTimer()
	reportRate(b, cpu0, "lines")
}

// BenchmarkNDJSONDecodeStdlib is the peer: encoding/json decoding the same
// lines into map[string]any and reading the same five fields.
func BenchmarkNDJSONDecodeStdlib(b *testing.B) {
	data, lines := ecsLines()
	b.SetBytes(int64(len(data) / lines))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuSeconds()
	n := 0
	get := func(m map[string]any, path ...string) any {
		var v any = m
		for _, p := range path {
			o, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = o[p]
		}
		return v
	}
	for n < b.N {
		sc := bufio.NewScanner(bytes.NewReader(data))
		for n < b.N && sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				b.Fatal(err)
			}
			if _, ok := m["network.bytes"].(float64); !ok {
				b.Fatal("no bytes")
			}
			_ = get(m, "destination", "port")
			_ = m["destination.ip"]
			_ = get(m, "source", "ip")
			_ = get(m, "event", "category")
			if _, err := time.Parse(time.RFC3339Nano, m["@timestamp"].(string)); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.StopTimer()
	reportRate(b, cpu0, "lines")
}

// reportRate reports what/s by the wall clock and per CPU-second.
func reportRate(b *testing.B, cpu0 float64, what string) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), what+"/s")
	if cpu := cpuSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu, what+"/cpu-s")
	}
}
