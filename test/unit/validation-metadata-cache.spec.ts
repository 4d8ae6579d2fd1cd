import 'reflect-metadata';
import { IsInt, Max, Min, validate, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { memoizeValidationMetadata } from '../../src/common/validation-metadata-cache';

memoizeValidationMetadata();

class Point {
  @IsInt() @Min(0) @Max(5) classAge!: number;
}
class Filter {
  @ValidateNested() @Type(() => Point) point!: Point;
}
const point = (classAge: unknown) => Object.assign(new Point(), { classAge });
const filter = (classAge: unknown) => Object.assign(new Filter(), { point: point(classAge) });

describe('class-validator with its rule lookup memoised', () => {
  it.each([
    [3, 0],
    [9, 1],
    ['x', 1],
  ])('validates nested inputs the same way, again and again (classAge %p → %i error)', async (value, errors) => {
    for (let i = 0; i < 3; i++) expect(await validate(filter(value))).toHaveLength(errors);
  });

  it('sees rules registered after the first validation (a class loaded later)', async () => {
    class Late {
      classAge!: number;
    }
    const late = Object.assign(new Late(), { classAge: 9 });
    expect(await validate(late, { forbidUnknownValues: false })).toHaveLength(0);
    Max(5)(Late.prototype, 'classAge');
    expect(await validate(late, { forbidUnknownValues: false })).toHaveLength(1);
  });

  it('keeps inherited rules', async () => {
    class Child extends Point {
      @IsInt() extra!: number;
    }
    const child = Object.assign(new Child(), { classAge: 9, extra: 1.5 });
    const errors = await validate(child);
    expect(errors.map((e) => e.property).sort()).toEqual(['classAge', 'extra']);
  });
});
