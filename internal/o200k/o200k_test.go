package o200k

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/pkoukk/tiktoken-go"
	tiktoken_loader "github.com/pkoukk/tiktoken-go-loader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reference is tiktoken-go's o200k_base, what this package must match.
var reference = sync.OnceValues(func() (*tiktoken.Tiktoken, error) {
	tiktoken.SetBpeLoader(tiktoken_loader.NewOfflineLoader())
	return tiktoken.GetEncoding("o200k_base")
})

func encoders(t testing.TB) (*Encoder, *tiktoken.Tiktoken) {
	t.Helper()
	enc, err := Load()
	require.NoError(t, err)
	ref, err := reference()
	require.NoError(t, err)
	return enc, ref
}

// TestTableIsOpenAIs: the embedded table is the file OpenAI publishes
// (openai/tiktoken checks the same sha256 when it downloads it).
func TestTableIsOpenAIs(t *testing.T) {
	zr, err := gzip.NewReader(strings.NewReader(table))
	require.NoError(t, err)
	h := sha256.New()
	_, err = io.Copy(h, zr)
	require.NoError(t, err)
	assert.Equal(t, "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d", hex.EncodeToString(h.Sum(nil)))

	enc, err := Load()
	require.NoError(t, err)
	assert.Len(t, enc.ranks, tableTokens)
}

// texts exercise each alternative of the split pattern and the byte-pair
// merge.
var texts = []string{
	"",
	"Hello, world!",
	"hello world  ",
	"  leading and trailing spaces   ",
	"don't I'll we've they're she's I'm he'd",
	"DON'T I'LL WE'VE THEY'RE SHE'S I'M HE'D",
	"Don'T i'Ll WE'Re x'D 's 'S '' 're 'rE 'l 'lx",
	"HTTPServer getHTTPResponse XMLHttpRequest iOS McDonald's",
	"1 12 123 1234 12345678901 3.14159 1,000,000 ٣٤٥٦ ⅣⅤ",
	"汉字と日本語のテキスト、한국어 텍스트。",
	"Ελληνικά ΚΕΦΑΛΑΙΑ Кириллица ПРИВЕТ мир",
	"emoji 👍🏽 👨‍👩‍👧 🇫🇷 ❤️ ✨",
	"combining: e\u0301 a\u0300\u0301 \u0301alone x\u0308\u0308y ǅungla ǅ",
	"line one\r\nline two\n\nline three\r\r\n  \n\tend",
	"tabs\tand\u00a0nbsp\u2003em\u3000ideographic \u0085nel",
	"trailing newline\n",
	"trailing spaces then word     x",
	"    ",
	"\n\n\n",
	" \n \n ",
	"path/to/file // comment /* block */\n/\n",
	"!!!??? ... --- === +++ ;;;\r\n",
	`{"name":"query_insights","description":"Run an \"insights\" query.\nUse dry_run.","inputSchema":{"type":"object","properties":{"events":{"type":"array","items":{"type":"string"}}},"required":["events"]}}`,
	`"\u00e9\t\\n\\u0041 \\\"quoted\\\""`,
	"supercalifragilisticexpialidocious antidisestablishmentarianism",
	strings.Repeat("a", 300) + " " + strings.Repeat("=", 200) + strings.Repeat(" ", 50) + "z",
	"<|endoftext|> is not special here <|endofprompt|>",
	"invalid \xff\xfe utf-8 \xe2\x82 and \xed\xa0\x80 surrogate",
	"\x00\x01\x1f\x7f control",
}

// TestEncodeMatchesTiktoken compares tokens and counts with tiktoken-go.
func TestEncodeMatchesTiktoken(t *testing.T) {
	enc, ref := encoders(t)
	for _, text := range texts {
		want := ref.EncodeOrdinary(text)
		got := enc.encode(text)
		if len(want) == 0 {
			assert.Empty(t, got, "%q", text)
		} else {
			assert.Equal(t, want, got, "%q", text)
		}
		assert.Equal(t, len(want), enc.Count(text), "%q", text)
	}
}

// TestPieces: the split pattern's cuts, derived by hand from the pattern.
func TestPieces(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"Hello, world!", []string{"Hello", ",", " world", "!"}},
		{"don't DON'T Don'T", []string{"don't", " DON'T", " Don'T"}},
		{"you're YOU'RE I'll x'r", []string{"you're", " YOU'RE", " I'll", " x", "'r"}},
		{"HTTPServer", []string{"HTTPServer"}},
		{"getHTTPResponse", []string{"get", "HTTPResponse"}},
		{"ABC", []string{"ABC"}},
		{"12345678", []string{"123", "456", "78"}},
		{"a  b", []string{"a", " ", " b"}},
		{"a   ", []string{"a", "   "}},
		{"a \r\n b", []string{"a", " \r\n", " b"}},
		{"x\n\n  y", []string{"x", "\n\n", " ", " y"}},
		{" ...\n/x", []string{" ...\n/", "x"}},
		{"日本語テキスト", []string{"日本語テキスト"}},
		{"\u0301x", []string{"\u0301x"}},
		{"\u0301.", []string{"\u0301", "."}},
		{"a\xffb", []string{"a", "\ufffdb"}},
	} {
		assert.Equal(t, tc.want, slices.Collect(pieces(tc.text)), "%q", tc.text)
	}
}

// TestClassOf checks classOf against the pattern's classes as regexp2
// reads them, for every rune, and that ASCII letters are the only runes
// unicode.ToLower maps to the contractions' letters (what contraction
// assumes).
func TestClassOf(t *testing.T) {
	is := func(r rune, cats ...string) bool {
		for _, c := range cats {
			if unicode.Is(unicode.Categories[c], r) {
				return true
			}
		}
		return false
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		letterOrNum := is(r, "L", "N")
		want := map[uint8]bool{
			cUpper:   is(r, "Lu", "Lt", "Lm", "Lo", "M"),
			cLower:   is(r, "Ll", "Lm", "Lo", "M"),
			cNum:     is(r, "N"),
			cSpace:   unicode.IsSpace(r),
			cPrefix:  r != '\r' && r != '\n' && !letterOrNum,
			cOther:   !unicode.IsSpace(r) && !letterOrNum,
			cNewline: r == '\r' || r == '\n',
			cSlash:   r == '/',
		}
		c := classOf(r)
		for bit, in := range want {
			if in != (c&bit != 0) {
				t.Fatalf("classOf(%U) = %08b: class %08b should be %v", r, c, bit, in)
			}
		}
		if l := unicode.ToLower(r); r >= 0x80 && strings.ContainsRune("'strevmld", l) {
			t.Errorf("%U lower-cases to %q", r, l)
		}
	}
}

// alphabet has runes of every kind the split pattern tells apart. The
// fuzz target also maps its input onto it, byte by byte: random bytes are
// mostly ASCII and invalid UTF-8, and rarely the marks, title-case and
// modifier letters, other numbers and Unicode spaces of these.
var alphabet = []rune("aZ0 \t\r\n'sStTrReEvVmMlLdD/.,\"\\{}-_ǅʰ中\u0301\u0300٣Ⅳ\u00a0\u2028\u3000\u0085é👍\ufffd")

func FuzzO200kMatchesTiktoken(f *testing.F) {
	for _, text := range texts {
		f.Add(text)
	}
	enc, ref := encoders(f)
	f.Fuzz(func(t *testing.T, input string) {
		mapped := make([]rune, len(input))
		for i := range len(input) {
			mapped[i] = alphabet[int(input[i])%len(alphabet)]
		}
		for _, text := range []string{input, string(mapped)} {
			want := ref.EncodeOrdinary(text)
			if got := enc.encode(text); !slices.Equal(want, got) {
				t.Fatalf("%q: tiktoken-go %v, o200k %v", text, want, got)
			}
			if n := enc.Count(text); n != len(want) {
				t.Fatalf("%q: tiktoken-go %d tokens, Count %d", text, len(want), n)
			}
		}
	})
}
