package timeseries

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/vigil-ml/vigil/internal/codec"
)

func snapJob() Job {
	return Job{ID: "snap", Latency: 10 * time.Minute,
		Detectors: []Detector{
			{Function: "count", ByFieldName: "host"},
			{Function: "high_distinct_count", FieldName: "user", PartitionFieldName: "host"},
			{Function: "mean", FieldName: "bytes", ByFieldName: "host"},
			{Function: "max", FieldName: "bytes"},
			{Function: "non_null_sum", FieldName: "bytes", PartitionFieldName: "host"},
		},
		Influencers: []string{"user", "host"}, ExactDistinct: 2}
}

func TestSnapshotContinuesBitIdentical(t *testing.T) {
	for _, exact := range []int{2, 0} {
		job := snapJob()
		job.ExactDistinct = exact
		testSnapshot(t, job)
	}
	// Without influencers the models score and learn in one pass.
	job := snapJob()
	job.Influencers = nil
	job.ModelPlot = true
	testSnapshot(t, job)
}

func testSnapshot(t *testing.T, job Job) {
	evs := countStream(4, 3, 3*288+7, 8)
	straight, err := New(job)
	if err != nil {
		t.Fatal(err)
	}
	want, err := runAll(straight, evs)
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{1, len(evs) / 3, len(evs) - 5} {
		a, _ := New(job)
		var got []BucketResult
		for _, ev := range evs[:cut] {
			res, err := a.Observe(ev)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, res...)
		}
		snap, err := a.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var b Engine // a zero Engine restores the job too
		if err := b.UnmarshalBinary(snap); err != nil {
			t.Fatal(err)
		}
		again, _ := b.MarshalBinary()
		// HyperLogLog's encoding is not canonical (its docs say so), so
		// byte equality is checked only without sketches.
		if job.ExactDistinct != 2 && !bytes.Equal(snap, again) {
			t.Fatalf("cut %d: re-marshalled snapshot differs", cut)
		}
		rest, err := runAll(&b, evs[cut:])
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rest...)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("cut %d: results after restore differ from the straight run", cut)
		}
		if b.Stats() != straight.Stats() {
			t.Fatalf("cut %d: stats %+v, want %+v", cut, b.Stats(), straight.Stats())
		}
	}
}

func TestSnapshotCorrupt(t *testing.T) {
	e, _ := New(snapJob())
	if _, err := runAll(e, countStream(1, 4, -1, 1)[:2000]); err != nil {
		t.Fatal(err)
	}
	snap, _ := e.MarshalBinary()
	var z Engine
	for _, bad := range [][]byte{nil, snap[:len(snap)/2], append([]byte("XXXX"), snap[4:]...)} {
		if err := z.UnmarshalBinary(bad); !errors.Is(err, ErrCorrupt) {
			t.Errorf("corrupt snapshot: err %v, want ErrCorrupt", err)
		}
	}
	flipped := append([]byte(nil), snap...)
	flipped[len(flipped)/2] ^= 1
	if err := z.UnmarshalBinary(flipped); !errors.Is(err, ErrCorrupt) {
		t.Errorf("bit flip: err %v", err)
	}
	if _, err := z.MarshalBinary(); err == nil {
		t.Error("zero Engine marshalled")
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	e, _ := New(snapJob())
	evs := countStream(1, 5, -1, 1)
	r := rand.New(rand.NewPCG(1, 2))
	for i, ev := range evs[:3000] {
		if i%7 == 0 { // out of order within latency
			ev.t = ev.t.Add(-time.Duration(r.IntN(300)) * time.Second)
		}
		e.Observe(ev)
	}
	snap, _ := e.MarshalBinary()
	f.Add(snap[6 : len(snap)-4])
	small, _ := New(Job{Detectors: []Detector{{Function: "count"}}})
	s2, _ := small.MarshalBinary()
	f.Add(s2[6 : len(s2)-4])
	f.Fuzz(func(t *testing.T, payload []byte) {
		var z Engine
		if err := z.UnmarshalBinary(codec.Seal(snapMagic, snapVersion, payload)); err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
			return
		}
		// A snapshot that decodes must run.
		ev := &testEvent{t: time.UnixMilli(z.latest).Add(10 * time.Minute), strs: map[string]string{"host": "a", "user": "u"}, nums: map[string]float64{"bytes": 1}}
		z.Observe(ev)
		z.Flush()
		if _, err := z.MarshalBinary(); err != nil {
			t.Fatal(err)
		}
	})
}
