// Flink's own reading of SQL, for the differential test of the validator (tests/fuzz). Never executes
// user text: each statement is only parsed (Parser.parse) and, when Flink calls it a query, explained.
// Protocol: one JSON object per line on stdin, one answer per line on stdout.
//   {"op": "ddl", "sql": "CREATE TEMPORARY TABLE ..."}  the product's own table definitions (registered)
//   {"op": "read", "sql": "..."}  -> {"kind": query|write|other|error, "operation": ..., "sinks": [...],
//                                     "plan": EXPLAIN text of a query or null, "error": ...}
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.operations.ModifyOperation;
import org.apache.flink.table.operations.Operation;
import org.apache.flink.table.operations.QueryOperation;
import org.apache.flink.table.operations.SinkModifyOperation;
import org.apache.flink.table.operations.StatementSetOperation;

public final class FlinkReading {
    public static void main(String[] args) throws Exception {
        ObjectMapper json = new ObjectMapper();
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, "UTF-8");
        System.setOut(new PrintStream(System.err, true, "UTF-8"));  // library chatter goes to stderr
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        TableEnvironmentInternal internal = (TableEnvironmentInternal) env;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        out.println("{\"ready\": true}");
        String line;
        while ((line = in.readLine()) != null) {
            Map<String, Object> answer = new LinkedHashMap<>();
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> request = json.readValue(line, Map.class);
                String sql = (String) request.get("sql");
                if ("ddl".equals(request.get("op"))) {
                    env.executeSql(sql);  // CREATE TEMPORARY TABLE only: registers, runs nothing
                    answer.put("kind", "ok");
                } else {
                    read(env, internal, sql, answer);
                }
            } catch (Throwable e) {
                answer.put("kind", "error");
                answer.put("error", rootMessage(e));
            }
            out.println(json.writeValueAsString(answer));
        }
    }

    private static void read(TableEnvironment env, TableEnvironmentInternal internal, String sql, Map<String, Object> answer) {
        List<Operation> operations;
        try {
            operations = internal.getParser().parse(sql);
        } catch (Throwable e) {
            answer.put("kind", "error");
            answer.put("error", rootMessage(e));
            return;
        }
        List<String> sinks = new ArrayList<>();
        String kind = operations.size() == 1 && operations.get(0) instanceof QueryOperation ? "query" : "other";
        List<String> names = new ArrayList<>();
        for (Operation operation : operations) {
            names.add(operation.getClass().getSimpleName());
            collectSinks(operation, sinks);
            if (operation instanceof ModifyOperation || operation instanceof StatementSetOperation) {
                kind = "write";
            }
        }
        answer.put("kind", kind);
        answer.put("operation", String.join(",", names));
        answer.put("sinks", sinks);
        answer.put("plan", null);
        if ("query".equals(kind)) {
            try {
                answer.put("plan", env.explainSql(sql));  // planning only: nothing is submitted
            } catch (Throwable e) {
                answer.put("plan_error", rootMessage(e));
            }
        }
    }

    private static void collectSinks(Operation operation, List<String> sinks) {
        if (operation instanceof SinkModifyOperation) {
            sinks.add(((SinkModifyOperation) operation).getContextResolvedTable().getIdentifier().asSummaryString());
        } else if (operation instanceof StatementSetOperation) {
            for (Operation inner : ((StatementSetOperation) operation).getOperations()) {
                collectSinks(inner, sinks);
            }
        } else if (operation instanceof ModifyOperation) {
            sinks.add(operation.asSummaryString());
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return message.length() > 500 ? message.substring(0, 500) : message;
    }
}
