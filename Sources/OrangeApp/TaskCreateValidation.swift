import OrangeCore

extension Commands {
    func validateNewTask(_ task: TaskRecord, among tasks: [TaskRecord]) throws {
        do { try TaskGraph(tasks).validate(task) } catch { throw OrangeError(error.description) }
    }
}
