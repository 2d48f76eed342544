from pollinate.errors import InfeasibleError, InputError


def test_input_error_message_names_file_row_field_and_advice():
    err = InputError(
        "a row lacks a name",
        file="roster.csv",
        row=7,
        field="name",
        advice="Fill in the name or delete the row.",
    )
    assert str(err) == (
        "roster.csv, row 7, field 'name': a row lacks a name. Fill in the name or delete the row."
    )


def test_input_error_without_location_is_just_the_problem():
    assert str(InputError("empty file")) == "empty file."


def test_infeasible_error_names_the_constraint():
    err = InfeasibleError("capacity", "12 onsite people but 10 onsite seats")
    assert "capacity" in str(err)
    assert err.constraint == "capacity"
