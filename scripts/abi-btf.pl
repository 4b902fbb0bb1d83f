#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0-only
# Read BTF (raw, or the .BTF section of an ELF file: vmlinux, a module, an
# object) and print the layout of the named structs and the prototypes of
# the named functions in one canonical text form, so that the BTF of the
# target kernel and the BTF of our own declaration (kernel/psw_abi.h built
# into a probe object, see scripts/abi-check.sh) can be compared with diff.
# Only perl-base is needed: this runs inside DKMS builds.
#
#   abi-btf.pl [--base BTF] [--structs a,b] [--funcs f,g]
#              [--funcs-from-struct S] [--emit-c] FILE
#
# --base             the base BTF of split BTF (a module's .BTF is split
#                    against vmlinux's)
# --funcs-from-struct take the functions from the members of struct S
#                    (pointers to functions: how the probe object carries
#                    the prototypes of declared, not defined, functions)
# --emit-c           print a C file declaring the same structs, typedefs
#                    and functions instead (tests/abi/btf-selftest.sh edits
#                    it, compiles it and turns it back into BTF)
#
# Output (one fact a line; the comparison is a plain diff):
#   struct NAME size N members M
#   struct NAME +OFF NAME: TYPE          (+OFF:BITS for bit fields)
#   func NAME: PROTOTYPE
#   typedef NAME = TYPE                  (every typedef used above, resolved)
# Exit 2 on unreadable input, 3 when a struct or a function is missing or
# defined twice differently (the message says which).
use strict;
use warnings;

my ($base_file, $structs, $funcs, $funcs_struct, $emit_c) = (undef, '', '', undef, 0);
while (@ARGV && $ARGV[0] =~ /^--/) {
	my $o = shift @ARGV;
	if ($o eq '--base') { $base_file = shift @ARGV; }
	elsif ($o eq '--structs') { $structs = shift @ARGV; }
	elsif ($o eq '--funcs') { $funcs = shift @ARGV; }
	elsif ($o eq '--funcs-from-struct') { $funcs_struct = shift @ARGV; }
	elsif ($o eq '--emit-c') { $emit_c = 1; }
	else { die "abi-btf: unknown option $o\n"; }
}
my $file = shift @ARGV or die "abi-btf: usage: abi-btf.pl [options] FILE\n";

sub fail { my ($code, $msg) = @_; print STDERR "abi-btf: $msg\n"; exit $code; }

sub slurp {
	my ($f) = @_;
	open(my $fh, '<:raw', $f) or fail(2, "cannot read $f: $!");
	local $/;
	my $d = <$fh>;
	close $fh;
	return $d;
}

# The BTF bytes of FILE: the file itself if it is raw BTF, else its .BTF section.
sub btf_bytes {
	my ($f) = @_;
	my $d = slurp($f);
	return $d if length($d) >= 24 && unpack('v', $d) == 0xeB9F;
	fail(2, "$f: neither BTF nor ELF") unless substr($d, 0, 4) eq "\x7fELF";
	fail(2, "$f: not a 64-bit little-endian ELF file")
		unless unpack('C', substr($d, 4)) == 2 && unpack('C', substr($d, 5)) == 1;
	my ($shoff) = unpack('Q<', substr($d, 0x28, 8));
	my ($shentsize, $shnum, $shstrndx) = unpack('v3', substr($d, 0x3a, 6));
	my @sh;
	for my $i (0 .. $shnum - 1) {
		my ($name, $type, $flags, $addr, $off, $size) =
			unpack('V V Q< Q< Q< Q<', substr($d, $shoff + $i * $shentsize, 40));
		push @sh, [$name, $off, $size];
	}
	my $strs = $sh[$shstrndx];
	for my $s (@sh) {
		my $n = unpack('Z*', substr($d, $strs->[1] + $s->[0]));
		return substr($d, $s->[1], $s->[2]) if $n eq '.BTF';
	}
	return undef;
}

my @KIND = qw(UNKN INT PTR ARRAY STRUCT UNION ENUM FWD TYPEDEF VOLATILE CONST
	RESTRICT FUNC FUNC_PROTO VAR DATASEC FLOAT DECL_TAG TYPE_TAG ENUM64);

# Parsed BTF: types indexed by id (0 = void), one string table.
my @T = (undef);
my $strtab = '';

sub parse_btf {
	my ($d, $what) = @_;
	my ($magic, $ver, $flags, $hdr_len) = unpack('v C C V', $d);
	fail(2, "$what: bad BTF magic") unless $magic == 0xeB9F;
	my ($type_off, $type_len, $str_off, $str_len) = unpack('V4', substr($d, 8, 16));
	my $types = substr($d, $hdr_len + $type_off, $type_len);
	$strtab .= substr($d, $hdr_len + $str_off, $str_len);
	my $p = 0;
	while ($p < length($types)) {
		my ($name_off, $info, $sz) = unpack('V3', substr($types, $p, 12));
		$p += 12;
		my $kind = ($info >> 24) & 0x1f;
		my $vlen = $info & 0xffff;
		my $kflag = $info >> 31;
		my $t = { name_off => $name_off, kind => $KIND[$kind] // "KIND$kind",
			vlen => $vlen, kflag => $kflag, sz => $sz };
		my $k = $t->{kind};
		if ($k eq 'INT') {
			my ($e) = unpack('V', substr($types, $p, 4)); $p += 4;
			$t->{bits} = $e & 0xff; $t->{intenc} = ($e >> 24) & 0xf;
		} elsif ($k eq 'ARRAY') {
			@$t{qw(elem index nelems)} = unpack('V3', substr($types, $p, 12)); $p += 12;
		} elsif ($k eq 'STRUCT' || $k eq 'UNION') {
			for (1 .. $vlen) {
				my ($n, $ty, $off) = unpack('V3', substr($types, $p, 12)); $p += 12;
				push @{$t->{m}}, { name_off => $n, type => $ty,
					off => $kflag ? $off & 0xffffff : $off,
					bits => $kflag ? $off >> 24 : 0 };
			}
		} elsif ($k eq 'ENUM') {
			for (1 .. $vlen) {
				my ($n, $v) = unpack('V l<', substr($types, $p, 8)); $p += 8;
				push @{$t->{e}}, [$n, $v];
			}
		} elsif ($k eq 'ENUM64') {
			for (1 .. $vlen) {
				my ($n, $lo, $hi) = unpack('V3', substr($types, $p, 12)); $p += 12;
				push @{$t->{e}}, [$n, $hi * 4294967296 + $lo];
			}
		} elsif ($k eq 'FUNC_PROTO') {
			for (1 .. $vlen) {
				my ($n, $ty) = unpack('V2', substr($types, $p, 8)); $p += 8;
				push @{$t->{p}}, { name_off => $n, type => $ty };
			}
		} elsif ($k eq 'VAR' || $k eq 'DECL_TAG') {
			$p += 4;
		} elsif ($k eq 'DATASEC') {
			$p += 12 * $vlen;
		} elsif ($k !~ /^(PTR|FWD|TYPEDEF|VOLATILE|CONST|RESTRICT|FUNC|FLOAT|TYPE_TAG)$/) {
			fail(2, "$what: unknown BTF kind $kind");
		}
		push @T, $t;
	}
}

sub name { my ($t) = @_; return unpack('Z*', substr($strtab, $t->{name_off})); }

if (defined $base_file) {
	my $b = btf_bytes($base_file);
	fail(2, "$base_file: no .BTF section") unless defined $b;
	parse_btf($b, $base_file);
}
{
	my $d = btf_bytes($file);
	fail(2, "$file: no .BTF section (the kernel was built without BTF)") unless defined $d;
	parse_btf($d, $file);
}
# A split BTF read without its base refers to types and strings it lacks.
for my $t (@T[1 .. $#T]) {
	fail(2, "$file: type or string outside the BTF (split BTF without --base?)")
		if $t->{name_off} >= length($strtab);
}

my %typedefs_used;

sub tname { my ($t) = @_; my $n = name($t); return $n eq '' ? '(anon)' : $n; }

sub enum_body {
	my ($t) = @_;
	return '{ ' . join(', ', map { unpack('Z*', substr($strtab, $_->[0])) . "=$_->[1]" } @{$t->{e}}) . ' }';
}

# C declarator rendering: type ID around declarator INNER.
# $resolve expands typedefs (for the typedef lines).
sub ctype {
	my ($id, $inner, $resolve) = @_;
	$inner //= '';
	my $sp = $inner eq '' ? '' : " $inner";
	return "void$sp" if $id == 0;
	my $t = $T[$id] or fail(3, "type id $id out of range");
	my $k = $t->{kind};
	if ($k eq 'INT' || $k eq 'FLOAT') { return name($t) . $sp; }
	if ($k eq 'STRUCT' || $k eq 'UNION') { return lc($k) . ' ' . tname($t) . $sp; }
	if ($k eq 'FWD') { return ($t->{kflag} ? 'union ' : 'struct ') . tname($t) . $sp; }
	if ($k eq 'ENUM' || $k eq 'ENUM64') {
		return 'enum ' . (name($t) eq '' ? enum_body($t) : name($t)) . $sp;
	}
	if ($k eq 'TYPEDEF') {
		return ctype($t->{sz}, $inner, 1) if $resolve;
		$typedefs_used{name($t)} = $t->{sz};
		return name($t) . $sp;
	}
	if ($k eq 'CONST' || $k eq 'VOLATILE' || $k eq 'RESTRICT') {
		my $q = lc($k);
		my $tt = $T[$t->{sz}];
		return ctype($t->{sz}, "$q$sp", $resolve) if $tt && $tt->{kind} eq 'PTR';
		return "$q " . ctype($t->{sz}, $inner, $resolve);
	}
	if ($k eq 'TYPE_TAG') { return ctype($t->{sz}, $inner, $resolve); }
	if ($k eq 'PTR') {
		my $tt = $t->{sz} ? $T[$t->{sz}] : undef;
		my $wrap = $tt && ($tt->{kind} eq 'FUNC_PROTO' || $tt->{kind} eq 'ARRAY');
		return ctype($t->{sz}, $wrap ? "(*$inner)" : "*$inner", $resolve);
	}
	if ($k eq 'ARRAY') { return ctype($t->{elem}, "$inner\[$t->{nelems}]", $resolve); }
	if ($k eq 'FUNC_PROTO') {
		my @p = map { $_->{type} == 0 ? '...' : ctype($_->{type}, '', $resolve) } @{$t->{p}};
		@p = ('void') unless @p;
		return ctype($t->{sz}, "$inner(" . join(', ', @p) . ')', $resolve);
	}
	fail(3, "cannot render BTF kind $k (type id $id)");
}

# All complete definitions named NAME of KIND (STRUCT or FUNC).
sub find_all {
	my ($kind, $n) = @_;
	return grep { $T[$_]{kind} eq $kind && name($T[$_]) eq $n } 1 .. $#T;
}

sub struct_lines {
	my ($id) = @_;
	my $t = $T[$id];
	my $n = name($t);
	my @l = ("struct $n size $t->{sz} members " . scalar(@{$t->{m} // []}));
	for my $m (@{$t->{m} // []}) {
		my $mn = unpack('Z*', substr($strtab, $m->{name_off}));
		my $off = $m->{off} % 8 || $m->{bits} ? ($m->{off} >> 3) . '.' . ($m->{off} & 7)
			. ($m->{bits} ? ":$m->{bits}" : '') : $m->{off} >> 3;
		push @l, "struct $n +$off " . ($mn eq '' ? '(anon)' : $mn) . ': ' . ctype($m->{type});
	}
	return @l;
}

# The one definition of struct NAME; several identical ones are fine
# (a module's BTF may repeat a type), several different ones are not.
sub the_struct {
	my ($n) = @_;
	my @ids = find_all('STRUCT', $n);
	fail(3, "struct $n: not in the BTF") unless @ids;
	my %seen;
	$seen{join("\n", struct_lines($_))} = $_ for @ids;
	fail(3, "struct $n: " . scalar(keys %seen) . " different definitions in the BTF")
		if keys %seen > 1;
	return $ids[0];
}

my @out;
my %fn;	# name -> FUNC_PROTO id
for my $s (grep { $_ ne '' } split(/,/, $structs)) {
	push @out, struct_lines(the_struct($s));
}
if (defined $funcs_struct) {
	my $t = $T[the_struct($funcs_struct)];
	for my $m (@{$t->{m}}) {
		my $pt = $T[$m->{type}];
		my $proto = $pt && $pt->{kind} eq 'PTR' ? $pt->{sz} : 0;
		fail(3, "struct $funcs_struct: member is not a function pointer")
			unless $proto && $T[$proto]{kind} eq 'FUNC_PROTO';
		$fn{unpack('Z*', substr($strtab, $m->{name_off}))} = $proto;
	}
} else {
	for my $f (grep { $_ ne '' } split(/,/, $funcs)) {
		my %protos = map { ctype($T[$_]{sz}, $f) => $T[$_]{sz} } find_all('FUNC', $f);
		fail(3, "function $f: not in the BTF") unless %protos;
		fail(3, "function $f: " . scalar(keys %protos) . " different prototypes in the BTF")
			if keys %protos > 1;
		($fn{$f}) = values %protos;
	}
}
push @out, "func $_: " . ctype($fn{$_}, $_) for sort keys %fn;

# Typedefs: resolve the ones the lines above use (and the ones those use).
my %done;
while (my @todo = grep { !$done{$_} } sort keys %typedefs_used) {
	for my $n (@todo) {
		$done{$n} = ctype($typedefs_used{$n}, '', 0) . ' = ' . ctype($typedefs_used{$n}, '', 1);
	}
}
push @out, "typedef $_ = " . (split(/ = /, $done{$_}, 2))[1] for sort keys %done;

if (!$emit_c) {
	print "$_\n" for @out;
	exit 0;
}

# --emit-c: a C file with the same types, for the self-test's mutations.
my %known_struct = map { /^struct (\S+) size/ ? ($1 => 1) : () } @out;
my (%fwd, @typedef_c);
sub note_fwd { my ($s) = @_; $fwd{$1} = 1 while $s =~ /\bstruct (\w+)/g; }
# Typedefs in dependency order: each after the typedefs it names.
my %emitted;
while (keys %emitted < keys %done) {
	my $progress = 0;
	for my $n (sort keys %done) {
		next if $emitted{$n};
		my $decl = ctype($typedefs_used{$n}, $n, 0);
		next if grep { !$emitted{$_} && $_ ne $n && $decl =~ /\b\Q$_\E\b/ } keys %done;
		note_fwd($decl);
		push @typedef_c, "typedef $decl;";
		$emitted{$n} = $progress = 1;
	}
	fail(3, 'typedefs refer to each other in a loop') unless $progress;
}
my @c;
for my $s (grep { $_ ne '' } split(/,/, $structs)) {
	my $t = $T[the_struct($s)];
	push @c, "struct $s {";
	for my $m (@{$t->{m}}) {
		my $mn = unpack('Z*', substr($strtab, $m->{name_off}));
		my $decl = ctype($m->{type}, $mn);
		note_fwd($decl);
		push @c, "\t$decl" . ($m->{bits} ? " : $m->{bits}" : '') . ';';
	}
	push @c, '};';
}
for my $f (sort keys %fn) {
	my $p = $T[$fn{$f}];
	my $i = 0;
	my @args = map { ctype($_->{type}, 'a' . $i++) } @{$p->{p}};
	my $decl = ctype($p->{sz}, "$f(" . (@args ? join(', ', @args) : 'void') . ')');
	note_fwd($decl);
	push @c, "$decl;", $decl, '{', ($p->{sz} == 0 ? () : "\treturn 0;"), '}';
}
push @c, "struct $_ *psw_abi_use_$_;" for grep { $known_struct{$_} } split(/,/, $structs);
print "/* generated by scripts/abi-btf.pl --emit-c from $file */\n";
print "struct $_;\n" for sort keys %fwd;
print "$_\n" for @typedef_c, @c;
