"""Reading Flink's plans (copilot.flink.plan_check) on plan texts Flink 2.2 printed for real statements."""

from __future__ import annotations

from copilot.flink.plan_check import disagreements, job_plan_text, read_plan

QUERY = """== Abstract Syntax Tree ==
LogicalProject(order_id=[$0], name=[$11])
+- LogicalJoin(condition=[=($1, $10)], joinType=[inner], joinHints=[[[BROADCAST inheritPath:[0] options:[c]]]])
   :- LogicalTableScan(table=[[default_catalog, default_database, orders]])
   +- LogicalTableScan(table=[[default_catalog, default_database, customers]])

== Optimized Physical Plan ==
Calc(select=[order_id, name])
+- TableSourceScan(table=[[default_catalog, default_database, orders, watermark=[-(order_time, 5000:INTERVAL SECOND)], idletimeout=[2000], watermarkEmitStrategy=[on-periodic]]], fields=[order_id, customer_id])
"""
OPTIONS = """== Abstract Syntax Tree ==
LogicalProject(order_id=[$0])
+- LogicalTableScan(table=[[default_catalog, default_database, orders]], hints=[[[OPTIONS inheritPath:[] options:{scan.startup.mode=earliest-offset}]]])
"""
INSERT = """== Abstract Syntax Tree ==
LogicalSink(table=[default_catalog.default_database.h1_sink], fields=[channel, n])
+- LogicalAggregate(group=[{0}], n=[COUNT()])
   +- LogicalTableScan(table=[[default_catalog, default_database, orders]])

== Optimized Physical Plan ==
Sink(table=[default_catalog.default_database.h1_sink], fields=[channel, n])
"""
QUERY_JOB = {
    "nodes": [
        {
            "description": "[11939]:Join(joinType=[InnerJoin])<br/>+- [11940]:Calc(select=[order_id, name])<br/>   +- Sink: Collect table sink<br/>"
        },
        {
            "description": "[11931]:TableSourceScan(table=[[default_catalog, default_database, orders, watermark=[-(order_time, 5000:INTERVAL SECOND)]]], fields=[order_id])<br/>"
        },
    ]
}
INSERT_JOB = {
    "nodes": [
        {
            "description": "[14084]:GroupAggregate(groupBy=[country])<br/>+- [14085]:ConstraintEnforcer[NotNullEnforcer(fields=[country])]<br/>   +- job_t_rev[14085]: Writer<br/>      +- job_t_rev[14085]: Committer<br/>"
        },
        {
            "description": "[14081]:TableSourceScan(table=[[default_catalog, default_database, orders, watermark=[-(order_time, 5000:INTERVAL SECOND)]]], fields=[order_id])"
        },
    ]
}


def test_reads_scans_sinks_and_options():
    reading = read_plan(QUERY)
    assert reading.scans == [
        ("default_catalog", "default_database", "orders"),
        ("default_catalog", "default_database", "customers"),
    ]
    assert not reading.sinks and not reading.options
    assert read_plan(OPTIONS).options
    assert read_plan(INSERT).sinks == ["default_catalog.default_database.h1_sink"]


def test_a_query_that_reads_the_listed_tables_agrees():
    assert disagreements(QUERY, kind="query", tables=("orders", "customers")) == []
    assert disagreements(job_plan_text(QUERY_JOB), kind="query", tables=("orders",), job=True) == []


def test_each_kind_of_disagreement_is_named():
    assert [d.reason for d in disagreements(QUERY, kind="query", tables=("orders",))] == ["plan_foreign_table"]
    assert [d.reason for d in disagreements(OPTIONS, kind="query", tables=("orders",))] == ["plan_options"]
    assert [d.reason for d in disagreements(INSERT, kind="query", tables=("orders",))] == ["plan_writes"]
    assert disagreements(INSERT, kind="insert", tables=("orders",), sink="h1_sink") == []
    assert [d.reason for d in disagreements(INSERT, kind="insert", tables=("orders",), sink="other")] == ["plan_sink"]
    insert_job = job_plan_text(INSERT_JOB)
    assert disagreements(insert_job, kind="insert", tables=("orders",), sink="job_t_rev", job=True) == []
    assert {d.reason for d in disagreements(insert_job, kind="query", tables=("orders",), job=True)} == {"plan_writes"}
    foreign = QUERY.replace("default_catalog, default_database, customers", "hive, db, customers")
    assert [d.reason for d in disagreements(foreign, kind="query", tables=("orders", "customers"))] == ["plan_foreign_table"]


def test_hints_in_flinks_plan_must_be_the_checked_statements():
    assert read_plan(QUERY).hints == ["BROADCAST"] and read_plan(OPTIONS).hints == ["OPTIONS"]
    assert disagreements(QUERY, kind="query", tables=("orders", "customers"), hints=("BROADCAST",)) == []
    assert [d.reason for d in disagreements(QUERY, kind="query", tables=("orders", "customers"), hints=())] == ["plan_hints"]
