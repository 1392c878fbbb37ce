package replay

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAnalyzerReadWindow checks the reader gives the same analysis however
// the input arrives: whole, one byte per read, or in odd pieces, so keys,
// numbers, strings and escapes that straddle a refill of its window are
// read right, and raw events are kept whole.
func TestAnalyzerReadWindow(t *testing.T) {
	readers := map[string]func([]byte) io.Reader{
		"one byte": func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) },
		"half":     func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) },
	}
	for _, name := range recordings {
		data, err := os.ReadFile(filepath.Join("testdata", name+".json"))
		require.NoError(t, err)
		whole, err := Analyze(bytes.NewReader(data), Options{KeepRaw: true})
		require.NoError(t, err)
		for how, reader := range readers {
			got, err := Analyze(reader(data), Options{KeepRaw: true})
			require.NoError(t, err)
			assert.Equal(t, descriptions(whole.Actions), descriptions(got.Actions), "%s read %s", name, how)
			assert.Equal(t, whole.SkippedEvents, got.SkippedEvents, "%s read %s", name, how)
			assert.Equal(t, whole.RawEvents, got.RawEvents, "%s read %s", name, how)
		}
	}
}

// TestJSONReaderValues checks the reader's strict parts on values that
// cross its window at every offset.
func TestJSONReaderValues(t *testing.T) {
	const doc = `{"k\u00e9y":"a\"b\\\\\"c\u00e9\ud83d\ude00","n":-1234567890123,"f":1.5e3,"t":true,"z":null,"skip":{"x":["\"]",{"y":"\\"}]}}`
	for window := 1; window <= len(doc); window++ {
		j := &jsonReader{r: iotest.OneByteReader(bytes.NewReader([]byte(doc))), buf: make([]byte, 0, window)}
		it, err := j.object()
		require.NoError(t, err)
		got := map[string]any{}
		for {
			key, ok, err := it.next()
			require.NoError(t, err, "window %d", window)
			if !ok {
				break
			}
			k := string(key)
			switch k {
			case "kéy":
				s, err := j.str(nil, -1)
				require.NoError(t, err)
				got[k] = string(s)
			case "n", "f":
				n, err := j.number()
				require.NoError(t, err)
				got[k] = n
			case "t":
				b, err := j.boolean()
				require.NoError(t, err)
				got[k] = b
			case "z":
				null, err := j.null()
				require.NoError(t, err)
				got[k] = null
			default:
				require.NoError(t, j.skip())
				got[k] = "skipped"
			}
		}
		assert.Equal(t, map[string]any{"kéy": "a\"b\\\\\"cé😀", "n": int64(-1234567890123), "f": int64(1500), "t": true, "z": true, "skip": "skipped"}, got, "window %d", window)
		assert.Zero(t, j.peek(), "all consumed")
	}
	for _, bad := range []string{`{"a":`, `"abc`, `{"a":"\`, `[1,2`, `{"a":[{"b":"]}"}`} {
		assert.ErrorIs(t, newBytesReader([]byte(bad)).skip(), io.ErrUnexpectedEOF, bad)
	}
	for _, bad := range []string{`{"a" 1}`, `{"a":1,}`, `{a:1}`, `{"a":1 "b":2}`} {
		it, err := newBytesReader([]byte(bad)).object()
		require.NoError(t, err)
		for err == nil {
			var ok bool
			if _, ok, err = it.next(); err == nil && ok {
				_, err = it.j.number()
			}
			if !ok && err == nil {
				break
			}
		}
		assert.ErrorIs(t, err, errSyntax, bad)
	}
	for _, bad := range []string{`"\x"`, `"\u12G4"`, `tru`, `-`} {
		j := newBytesReader([]byte(bad))
		var err error
		if bad[0] == '"' {
			_, err = j.str(nil, -1)
		} else {
			_, err = j.scalar()
		}
		assert.Error(t, err, bad)
	}
}
