import {
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Min,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
  Validate,
  MaxLength,
} from 'class-validator';
import { IsMoneyAmount, lineCents, toCents } from './money';
import { OrderItemEvent } from './order-event';
import { IsStorableText } from './storable';

@ValidatorConstraint({ name: 'subtotalMatches' })
class SubtotalMatchesConstraint implements ValidatorConstraintInterface {
  validate(subtotal: unknown, args: ValidationArguments): boolean {
    const item = args.object as OrderItemDto;
    if (typeof subtotal !== 'number' || !Number.isInteger(item.quantity) || typeof item.price !== 'number') {
      return true; // the type rules report these
    }
    return toCents(subtotal) === lineCents(item.quantity, item.price);
  }

  defaultMessage(): string {
    return 'subtotal must equal quantity × price to the cent';
  }
}

export class OrderItemDto implements OrderItemEvent {
  @IsOptional()
  @IsString()
  @MaxLength(50)
  @IsStorableText()
  item_id?: string;

  @IsString()
  @IsNotEmpty()
  @IsStorableText()
  name: string;

  @IsInt()
  @Min(1)
  quantity: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsMoneyAmount()
  @Min(0)
  price: number;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsMoneyAmount()
  @Validate(SubtotalMatchesConstraint)
  subtotal?: number;
}
