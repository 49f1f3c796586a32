"""Step Functions: state machines of the template run in moto's Amazon States Language interpreter.

- `service`: `StepFunctionsService`, attached with the endpoint: tasks' clients, the execution log,
  the time scale of Wait states and Retry intervals;
- `task_clients`: the clients tasks call AWS with (this endpoint, signed as the state machine's role);
- `execution_log`: an execution's history events as lines of the log stream;
- `definitions`: a state machine's definition from its template properties (substitutions applied).

What moto's interpreter gets changed to do is in `samlite.moto_changes.stepfunctions_*`.
"""
