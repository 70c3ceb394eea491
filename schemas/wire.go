package schemas

import (
	"encoding/binary"
	"fmt"
)

// The wire format: a magic byte 0, the schema id as 4 big-endian bytes,
// then (Protobuf only) the message indexes, then the value.
const (
	magic      = 0
	headerSize = 5
	// maxIndexes bounds a Protobuf header's message indexes: a hostile
	// count must not allocate.
	maxIndexes = 64
)

// header splits raw into its schema id and the rest.
func header(raw []byte) (id int, rest []byte, err error) {
	switch {
	case len(raw) == 0:
		return 0, nil, fmt.Errorf("%w: empty payload", ErrWireFormat)
	case raw[0] != magic:
		return 0, nil, fmt.Errorf("%w: magic byte %#02x, want 0x00 (a payload written without a schema registry serializer?)", ErrWireFormat, raw[0])
	case len(raw) < headerSize:
		return 0, nil, fmt.Errorf("%w: %d bytes, shorter than the 5-byte header", ErrWireFormat, len(raw))
	}
	return int(binary.BigEndian.Uint32(raw[1:headerSize])), raw[headerSize:], nil
}

// appendHeader appends the header of schema id to b.
func appendHeader(b []byte, id int) []byte {
	return binary.BigEndian.AppendUint32(append(b, magic), uint32(id))
}

// indexes reads a Protobuf payload's message indexes: a zigzag varint
// count, then that many zigzag varints; a single 0 byte stands for [0].
func indexes(b []byte) (idx []int, rest []byte, err error) {
	n, w := binary.Varint(b)
	if w <= 0 {
		return nil, nil, fmt.Errorf("%w: truncated Protobuf message indexes", ErrWireFormat)
	}
	b = b[w:]
	if n == 0 {
		return []int{0}, b, nil
	}
	if n < 0 || n > maxIndexes {
		return nil, nil, fmt.Errorf("%w: %d Protobuf message indexes (at most %d)", ErrWireFormat, n, maxIndexes)
	}
	idx = make([]int, n)
	for i := range idx {
		v, w := binary.Varint(b)
		if w <= 0 {
			return nil, nil, fmt.Errorf("%w: truncated Protobuf message indexes", ErrWireFormat)
		}
		if v < 0 {
			return nil, nil, fmt.Errorf("%w: negative Protobuf message index %d", ErrWireFormat, v)
		}
		idx[i], b = int(v), b[w:]
	}
	return idx, b, nil
}

// appendIndexes appends idx as indexes reads them ([0] as one 0 byte).
func appendIndexes(b []byte, idx []int) []byte {
	if len(idx) == 1 && idx[0] == 0 {
		return append(b, 0)
	}
	b = binary.AppendVarint(b, int64(len(idx)))
	for _, i := range idx {
		b = binary.AppendVarint(b, int64(i))
	}
	return b
}
