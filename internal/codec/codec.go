// Package codec is the small versioned binary format of Vigil models.
//
// A blob is: a 4-byte magic naming the model kind, a uint16 version, the
// payload, then a CRC-32 (Castagnoli) of everything before it. Integers and
// floats are little-endian fixed width; slices are length-prefixed. Decoding
// checks the checksum first, so random corruption is caught before any field
// is read, and checks every length against the bytes that remain before it
// allocates, so a hostile length cannot make it allocate more than the input
// justifies. Errors are sticky: after the first, reads return zero values and
// Err reports it.
package codec

import (
	"encoding/binary"
	"hash/crc32"
	"math"

	"github.com/vigil-ml/vigil/internal/check"
)

var table = crc32.MakeTable(crc32.Castagnoli)

// Encoder appends fields to a blob.
type Encoder struct{ buf []byte }

// NewEncoder starts a blob with the given 4-byte magic and version.
func NewEncoder(magic string, version uint16) *Encoder {
	if len(magic) != 4 {
		panic("codec: magic must be 4 bytes")
	}
	e := &Encoder{buf: make([]byte, 0, 256)}
	e.buf = append(e.buf, magic...)
	e.buf = binary.LittleEndian.AppendUint16(e.buf, version)
	return e
}

// Uint64 appends v.
func (e *Encoder) Uint64(v uint64) { e.buf = binary.LittleEndian.AppendUint64(e.buf, v) }

// Int appends v as a signed 64-bit integer.
func (e *Encoder) Int(v int) { e.Uint64(uint64(int64(v))) }

// Bool appends v as one byte.
func (e *Encoder) Bool(v bool) {
	b := byte(0)
	if v {
		b = 1
	}
	e.buf = append(e.buf, b)
}

// Float64 appends v.
func (e *Encoder) Float64(v float64) { e.Uint64(math.Float64bits(v)) }

// Float64s appends the length of v and its values.
func (e *Encoder) Float64s(v []float64) {
	e.Int(len(v))
	for _, f := range v {
		e.Float64(f)
	}
}

// Int32s appends the length of v and its values.
func (e *Encoder) Int32s(v []int32) {
	e.Int(len(v))
	for _, x := range v {
		e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(x))
	}
}

// String appends the length of s and its bytes.
func (e *Encoder) String(s string) {
	e.Int(len(s))
	e.buf = append(e.buf, s...)
}

// Bytes closes the blob with its checksum and returns it.
func (e *Encoder) Bytes() []byte {
	return binary.LittleEndian.AppendUint32(e.buf, crc32.Checksum(e.buf, table))
}

// Decoder reads fields from a blob.
type Decoder struct {
	pkg  string
	data []byte
	off  int
	err  error
}

// NewDecoder checks the magic, version (1..maxVersion) and checksum of data
// and returns a decoder positioned at the payload, with the blob's version.
func NewDecoder(pkg, magic string, maxVersion uint16, data []byte) (*Decoder, uint16, error) {
	const header, trailer = 6, 4
	if len(data) < header+trailer {
		return nil, 0, check.Errorf(pkg, check.ErrCorrupt, "model data is %d bytes, too short", len(data))
	}
	if string(data[:4]) != magic {
		return nil, 0, check.Errorf(pkg, check.ErrCorrupt, "model data has magic %q, want %q", data[:4], magic)
	}
	version := binary.LittleEndian.Uint16(data[4:6])
	if version == 0 || version > maxVersion {
		return nil, 0, check.Errorf(pkg, check.ErrCorrupt, "model data has version %d, this build reads 1 to %d", version, maxVersion)
	}
	body := data[:len(data)-trailer]
	if got, want := crc32.Checksum(body, table), binary.LittleEndian.Uint32(data[len(data)-trailer:]); got != want {
		return nil, 0, check.Errorf(pkg, check.ErrCorrupt, "model data checksum mismatch")
	}
	return &Decoder{pkg: pkg, data: body, off: header}, version, nil
}

func (d *Decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = check.Errorf(d.pkg, check.ErrCorrupt, format, args...)
	}
}

func (d *Decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.data)-d.off {
		d.fail("model data truncated at byte %d", d.off)
		return nil
	}
	b := d.data[d.off : d.off+n]
	d.off += n
	return b
}

// Uint64 reads a uint64.
func (d *Decoder) Uint64() uint64 {
	b := d.take(8)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

// Int reads a signed integer written by Encoder.Int.
func (d *Decoder) Int() int {
	v := int64(d.Uint64())
	if int64(int(v)) != v {
		d.fail("integer %d out of range", v)
		return 0
	}
	return int(v)
}

// IntIn reads an integer and fails unless lo <= v <= hi; what names the field.
func (d *Decoder) IntIn(what string, lo, hi int) int {
	v := d.Int()
	if d.err == nil && (v < lo || v > hi) {
		d.fail("%s is %d, want %d to %d", what, v, lo, hi)
		return lo
	}
	return v
}

// Bool reads a bool.
func (d *Decoder) Bool() bool {
	b := d.take(1)
	if b == nil {
		return false
	}
	if b[0] > 1 {
		d.fail("bad boolean byte %d", b[0])
	}
	return b[0] == 1
}

// Float64 reads a float64.
func (d *Decoder) Float64() float64 { return math.Float64frombits(d.Uint64()) }

// length reads a slice length and checks that size bytes per element remain.
func (d *Decoder) length(size int) int {
	n := d.Int()
	if d.err != nil {
		return 0
	}
	if n < 0 || n > (len(d.data)-d.off)/size {
		d.fail("slice length %d exceeds the %d bytes left", n, len(d.data)-d.off)
		return 0
	}
	return n
}

// Float64s reads a slice written by Encoder.Float64s.
func (d *Decoder) Float64s() []float64 {
	n := d.length(8)
	if d.err != nil {
		return nil
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(d.data[d.off:]))
		d.off += 8
	}
	return v
}

// Int32s reads a slice written by Encoder.Int32s.
func (d *Decoder) Int32s() []int32 {
	n := d.length(4)
	if d.err != nil {
		return nil
	}
	v := make([]int32, n)
	for i := range v {
		v[i] = int32(binary.LittleEndian.Uint32(d.data[d.off:]))
		d.off += 4
	}
	return v
}

// String reads a string written by Encoder.String.
func (d *Decoder) String() string {
	n := d.length(1)
	return string(d.take(n))
}

// Fail records a semantic error found by the caller (an index out of range,
// an inconsistent size) as a corrupt-data error.
func (d *Decoder) Fail(format string, args ...any) { d.fail(format, args...) }

// Err returns the first error met, or an error if bytes remain unread.
func (d *Decoder) Err() error {
	if d.err == nil && d.off != len(d.data) {
		d.fail("%d unexpected trailing bytes", len(d.data)-d.off)
	}
	return d.err
}

// Seal wraps a payload in a header and checksum as an Encoder would. Fuzz
// tests use it to get past the checksum and reach the field checks.
func Seal(magic string, version uint16, payload []byte) []byte {
	e := NewEncoder(magic, version)
	e.buf = append(e.buf, payload...)
	return e.Bytes()
}
