"""Flink SQL (Calcite) reserved words: an identifier spelled like one must be quoted with backticks.
The `flink` generator quotes exactly these. Niladic functions written without parentheses
(LOCALTIMESTAMP, CURRENT_DATE, USER …) are left out: sqlglot reads them as names, and quoting one
would turn the function into a column."""

RESERVED_WORDS: frozenset[str] = frozenset(
    """
abs all allocate allow alter and any are array as asensitive asymmetric at atomic authorization avg begin
between bigint binary bit blob boolean both by call called cardinality cascaded case cast ceil ceiling char
character check classifier clob close coalesce collate collect column commit condition connect constraint
contains convert corr corresponding count covar_pop covar_samp create cross cube cume_dist current
cursor cycle date day deallocate dec decimal declare default define
delete dense_rank deref describe deterministic disallow disconnect distinct double drop dynamic each element else
empty end equals escape every except exec execute exists exp explain external extract false fetch filter first_value
float floor for foreign frame_row free from full function fusion get global grant group grouping groups having hold
hour identity import in indicator initial inner inout insensitive insert int integer intersect intersection interval
into is join lag language large last_value lateral lead leading left like like_regex limit ln local
lower match matches match_number match_recognize max measures member merge method min minute mod
modifies module month multiset national natural nchar nclob new next no none normalize not nth_value ntile null
nullif numeric occurrences_regex octet_length of offset old omit on one only open or order out outer over overlaps
overlay parameter partition pattern per percent percentile_cont percentile_disc percent_rank period permute portion
position position_regex power precedes precision prepare prev primary procedure range rank reads real recursive ref
references referencing regr_avgx release reset result return returns revoke right rollback rollup row row_number rows
running savepoint scope scroll search second seek select sensitive set show similar skip smallint some
specific specifictype sql sqlexception sqlstate sqlwarning sqrt start static stddev_pop stddev_samp stream submultiset
subset substring substring_regex succeeds sum symmetric system system_time table tablesample then time
timestamp timezone_hour timezone_minute tinyint to trailing translate translate_regex translation treat trigger trim
trim_array true truncate uescape union unique unknown unnest update upper upsert using value values value_of
var_pop var_samp varbinary varchar varying versioning when whenever where width_bucket window with within without year
""".split()
)
