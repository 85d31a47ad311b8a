//! The committed JSON Schema matches the types, and the demo-shaped data follows it.

const COMMITTED: &str = include_str!("../schema/vidence-5.schema.json");

#[test]
fn committed_schema_is_generated_from_the_types() {
    let generated = annotate::json_schema();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/vidence-5.schema.json");
        std::fs::write(path, &generated).expect("write schema");
        return;
    }
    assert!(generated == COMMITTED, "the schema changed: rerun with UPDATE_SCHEMA=1 and commit the file");
}

#[test]
fn schema_names_every_top_level_list_and_the_box_shape() {
    let schema: serde_json::Value = serde_json::from_str(COMMITTED).expect("schema is JSON");
    for list in ["videos", "categories", "tracks", "segments", "questions", "runs"] {
        assert!(schema["properties"][list].is_object(), "{list} is described");
    }
    let bbox = &schema["$defs"]["BBox"];
    assert_eq!(bbox["minItems"], 4);
    assert_eq!(bbox["maxItems"], 4);
}

#[test]
fn the_documented_example_is_a_valid_dataset() {
    let doc = include_str!("../../docs/dataset.md");
    let start = doc.find("```json\n").expect("an example") + "```json\n".len();
    let end = start + doc[start..].find("```").expect("end of example");
    let dataset = annotate::parse(&doc[start..end], std::path::Path::new("docs/dataset.md")).expect("parses");
    assert_eq!(annotate::validate(&dataset), vec![]);
    assert_eq!(dataset.questions[0].evidence.len(), 5, "every evidence kind is shown");
}
